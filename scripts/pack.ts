/**
 * Packs a workspace into an installable tarball: Node refuses to strip types under
 * node_modules, so the tarball carries JavaScript (compiled by tsc into dist/, with .d.ts
 * beside it) and a package.json whose exports and bins point there. The workspace itself is
 * not touched: the package is staged in a temporary folder and packed from there.
 *
 *   node scripts/pack.ts packages/trace-console [--out DIR]   → prints the tarball's path
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Rewrites `./src/x.ts` export targets to the compiled files. */
function compiledTarget(target: string): string | Record<string, string> {
  if (!target.startsWith('./src/')) return target;
  const js = target.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '.js');
  return { types: js.replace(/\.js$/, '.d.ts'), default: js };
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Packs the workspace at `dir` into `outDir`; returns the tarball's absolute path. */
export function packWorkspace(dir: string, outDir: string): string {
  const source = resolve(root, dir);
  const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
  // Staged inside the repository so that imports resolve through its node_modules.
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const stage = mkdtempSync(join(root, 'node_modules', '.cache', 'tfa-pack-'));
  try {
    for (const entry of ['src', 'bin', 'launch.js', 'README.md', 'LICENSE']) {
      if (existsSync(join(source, entry))) cpSync(join(source, entry), join(stage, entry), { recursive: true });
    }
    // Compile src/ to dist/: JavaScript plus declarations, relative .ts imports rewritten.
    const tsconfig = {
      extends: join(root, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false, declaration: true, rewriteRelativeImportExtensions: true, allowImportingTsExtensions: false,
        rootDir: join(stage, 'src'), outDir: join(stage, 'dist'), sourceMap: false,
      },
      include: [join(stage, 'src/**/*.ts')],
    };
    writeFileSync(join(stage, 'tsconfig.pack.json'), JSON.stringify(tsconfig));
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    // Imports of other workspaces resolve through the repository's node_modules.
    execFileSync(tsc, ['-p', join(stage, 'tsconfig.pack.json')], { cwd: root, stdio: 'inherit' });
    rmSync(join(stage, 'tsconfig.pack.json'));
    // Files the modules read at run time (protobuf definitions, licences), and worker URLs.
    for (const file of walk(join(stage, 'src'))) {
      if (file.endsWith('.ts')) continue;
      const to = join(stage, 'dist', relative(join(stage, 'src'), file));
      mkdirSync(dirname(to), { recursive: true });
      cpSync(file, to);
    }
    for (const file of walk(join(stage, 'dist')).filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(file, 'utf8');
      const fixed = text.replace(/new URL\((['"])(\.{1,2}\/[^'"]+)\.ts\1/g, 'new URL($1$2.js$1');
      if (fixed !== text) writeFileSync(file, fixed);
    }
    for (const file of existsSync(join(stage, 'bin')) ? walk(join(stage, 'bin')) : []) {
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\.\.\/src\/([^'"]+)\.ts/g, '../dist/$1.js'));
    }
    // The web console's bundle is built here, so the installed package needs no bundler.
    if (existsSync(join(stage, 'src', 'ui', 'index.html'))) {
      execFileSync(process.execPath, [join(source, 'src', 'ui', 'build.ts'), '--out', join(stage, 'ui')], { cwd: source, stdio: 'ignore' });
    }
    rmSync(join(stage, 'src'), { recursive: true, force: true });

    const exports = Object.fromEntries(Object.entries(pkg.exports ?? {}).map(([k, v]) => [k, typeof v === 'string' ? compiledTarget(v) : v]));
    const packed = {
      ...pkg,
      exports,
      files: ['dist', 'bin', 'launch.js', 'ui', 'README.md'].filter((f) => existsSync(join(stage, f))),
    };
    delete packed.devDependencies;
    delete packed.scripts;
    delete packed.private;
    writeFileSync(join(stage, 'package.json'), JSON.stringify(packed, null, 2) + '\n');
    mkdirSync(outDir, { recursive: true });
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', resolve(outDir)], { cwd: stage, encoding: 'utf8' }).trim().split('\n').pop()!;
    return join(resolve(outDir), out);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string', default: '.' } } });
  if (positionals.length === 0) {
    process.stderr.write('usage: node scripts/pack.ts <workspace dir>... [--out DIR]\n');
    process.exit(2);
  }
  for (const dir of positionals) process.stdout.write(packWorkspace(dir, values.out!) + '\n');
}
