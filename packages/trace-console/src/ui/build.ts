/**
 * Bundles the web console (src/console/ui/main.ts and the CSS it imports) with esbuild
 * into node_modules/.cache/trace-console-ui/: content-hashed assets (served with long cache
 * headers) and an index.html that names them. Everything comes from node_modules, so the
 * console works offline. Run: `npm run build:ui` (node packages/trace-console/src/ui/build.ts).
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Where the browser sources live. */
export const uiSourceDir = join(root, 'src/ui');
/** Where the bundle goes (git-ignored with node_modules/). */
export const uiOutDir = join(root, 'node_modules/.cache/trace-console-ui');

/** What one build produced. */
export interface UiBuild {
  outDir: string;
  /** Asset file names (under /ui/assets/) with their sizes in bytes. */
  assets: Record<string, number>;
  ms: number;
}

/** Bundles the console (minified, external sourcemaps, es2022) and writes index.html last. */
export async function buildUi(outDir: string = uiOutDir): Promise<UiBuild> {
  const started = performance.now();
  // Imported here so serving an existing bundle never needs the bundler installed.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [join(uiSourceDir, 'main.ts')],
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    sourcemap: 'external',
    target: 'es2022',
    format: 'esm',
    platform: 'browser',
    metafile: true,
    legalComments: 'external',
    logLevel: 'silent',
  });
  const assets: Record<string, number> = {};
  let js = '';
  let css = '';
  for (const [file, info] of Object.entries(result.metafile.outputs)) {
    const name = basename(file);
    assets[name] = info.bytes;
    if (name.endsWith('.js')) js = name;
    if (name.endsWith('.css')) css = name;
  }
  const template = await readFile(join(uiSourceDir, 'index.html'), 'utf8');
  const html = template.replaceAll('{{js}}', `/ui/assets/${js}`).replaceAll('{{css}}', `/ui/assets/${css}`);
  await mkdir(outDir, { recursive: true });
  // index.html is written last and atomically: its mtime says the whole bundle is complete,
  // and a console starting meanwhile (tests run in parallel) reads the old or the new one.
  const tmp = join(outDir, `index.html.${process.pid}`);
  await writeFile(tmp, html);
  await rename(tmp, join(outDir, 'index.html'));
  await prune(join(outDir, 'assets'), new Set(Object.keys(assets)));
  return { outDir, assets, ms: Math.round(performance.now() - started) };
}

/** Removes assets of earlier builds (names carry content hashes, so nothing is overwritten); recent ones stay for consoles still serving them. */
async function prune(dir: string, keep: Set<string>): Promise<void> {
  const hour = Date.now() - 3600_000;
  for (const name of await readdir(dir)) {
    if (keep.has(name)) continue;
    const file = join(dir, name);
    if ((await stat(file)).mtimeMs < hour) await rm(file, { force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const { assets, ms, outDir } = await buildUi(at > 0 ? process.argv[at + 1] : undefined);
  const { gzipSync } = await import('node:zlib');
  for (const name of Object.keys(assets).filter((n) => /\.(js|css)$/.test(n))) {
    const gz = gzipSync(await readFile(join(outDir, 'assets', name))).length;
    console.log(`${name}  ${(assets[name] / 1024).toFixed(1)} KB  (${(gz / 1024).toFixed(1)} KB gzipped)`);
  }
  console.log(`built in ${ms} ms → ${outDir}`);
}
