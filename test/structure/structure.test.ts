/**
 * The tree reads as the products it ships: each workspace imports only what its
 * package.json declares, no module import cycle anywhere, the wire part of the OTel
 * package imports no OpenTelemetry, the service kit imports no tracing code, and the
 * trace-console uses only the wire part of the OTel package.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import test from 'node:test';
import { root } from '@tfa/test-helpers/process';

interface Workspace { dir: string; name: string; pkg: Record<string, any> }
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const workspaces: Workspace[] = (rootPkg.workspaces as string[]).map((dir) => {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  return { dir, name: pkg.name, pkg };
});
const byName = new Map(workspaces.map((w) => [w.name, w]));

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|js)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(p);
  }
  return out;
}
const sourceDirs = [...workspaces.map((w) => w.dir), 'test', 'bench', 'scripts'];
const files = [...new Set(sourceDirs.flatMap((d) => walk(join(root, d))))];

/** Import specifiers of a file (static, dynamic and re-exports; type-only ones too). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?\sfrom\s+(['"])([^'"]+)\1|(?:^|[\s;(])import\s*\(\s*(['"])([^'"]+)\3\s*\)|^\s*import\s+(['"])([^'"]+)\5/gm)) {
    out.push(m[2] ?? m[4] ?? m[6]);
  }
  return out;
}
// Folders with a package.json of their own that are not workspaces (the benchmark peers,
// installed apart on purpose) answer for their own imports.
const standalone = new Set(files.map((f) => dirname(f)).filter((d) => !d.includes('node_modules') && existsSync(join(d, 'package.json')) && d !== root && !workspaces.some((w) => join(root, w.dir) === d)));
function standaloneOf(file: string): string | undefined {
  for (let d = dirname(file); d.startsWith(root) && d !== root; d = dirname(d)) if (standalone.has(d)) return d;
  return undefined;
}

function workspaceOf(file: string): Workspace | undefined {
  const rel = relative(root, file);
  return workspaces.filter((w) => rel.startsWith(w.dir + '/')).sort((a, b) => b.dir.length - a.dir.length)[0];
}
const builtin = new Set(builtinModules);
function packageName(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) return undefined;
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  return builtin.has(name) ? undefined : name;
}
/** Resolves a relative or workspace import to a file of ours, or undefined for a dependency. */
function resolveOurs(from: string, spec: string): string | undefined {
  if (spec.startsWith('.')) return resolve(dirname(from), spec);
  const name = packageName(spec);
  const w = name && byName.get(name);
  if (!w) return undefined;
  const sub = spec.slice(name.length);
  const exports = w.pkg.exports as Record<string, string>;
  const key = `.${sub}`;
  if (typeof exports[key] === 'string') return join(root, w.dir, exports[key]);
  const star = exports['./*'];
  return star ? join(root, w.dir, star.replace('*', sub.slice(1))) : undefined;
}

test('each workspace imports only what its package.json declares', () => {
  const problems: string[] = [];
  for (const file of files) {
    if (standaloneOf(file)) continue;
    const w = workspaceOf(file);
    const rel = relative(w ? join(root, w.dir) : root, file);
    const pkg = w?.pkg ?? rootPkg;
    const shipped = w !== undefined && /^(src|bin)\//.test(rel);
    const allowed = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
      ...(shipped ? [] : Object.keys(pkg.devDependencies ?? {})),
    ]);
    for (const spec of specifiers(file)) {
      const name = packageName(spec);
      if (name && name !== pkg.name && !allowed.has(name)) problems.push(`${relative(root, file)} imports ${spec}, not in ${w?.dir ?? '.'}/package.json${shipped ? ' dependencies' : ''}`);
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        const tw = workspaceOf(target);
        const isTestFile = tw && relative(join(root, tw.dir), target).startsWith('test/');
        if (tw !== w && !(isTestFile && !shipped)) problems.push(`${relative(root, file)} reaches into ${tw?.dir ?? 'the root'} by a relative path (${spec}): import the package`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('no module import cycle anywhere', () => {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    graph.set(file, specifiers(file).map((s) => resolveOurs(file, s)).filter((t): t is string => t !== undefined && files.includes(t)));
  }
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((p) => relative(root, p)).join(' -> '));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});

test('no cycle between packages (runtime dependencies)', () => {
  const deps = (w: Workspace) => Object.keys({ ...w.pkg.dependencies, ...w.pkg.peerDependencies }).filter((n) => byName.has(n));
  for (const w of workspaces) {
    const seen = new Set<string>();
    const todo = deps(w);
    while (todo.length) {
      const n = todo.pop()!;
      assert.notEqual(n, w.name, `${w.name} depends on itself through its dependencies`);
      if (seen.has(n)) continue;
      seen.add(n);
      todo.push(...deps(byName.get(n)!));
    }
  }
});

function importsOf(dir: string): [string, string][] {
  return files.filter((f) => f.startsWith(join(root, dir) + '/')).flatMap((f) => specifiers(f).map((s): [string, string] => [relative(root, f), s]));
}

test('the wire part of @tfa/otel-xray imports no OpenTelemetry and nothing outside wire/', () => {
  const bad = importsOf('packages/otel-xray/src/wire').filter(([f, s]) => {
    if (s.startsWith('.')) return !resolve(dirname(join(root, f)), s).startsWith(join(root, 'packages/otel-xray/src/wire'));
    return !s.startsWith('node:');
  });
  assert.deepEqual(bad, []);
});

test('the service kit imports no tracing code', () => {
  const bad = importsOf('packages/service-kit').filter(([, s]) => /^@opentelemetry\/|^@tfa\/(service-tracing|otel-xray)/.test(s));
  assert.deepEqual(bad, []);
});

test('the trace-console uses only the wire part of @tfa/otel-xray', () => {
  const bad = importsOf('packages/trace-console/src').filter(([, s]) => s.startsWith('@tfa/otel-xray') && !s.startsWith('@tfa/otel-xray/wire') || s.startsWith('@opentelemetry/sdk') || s === '@tfa/service-tracing');
  assert.deepEqual(bad, []);
});
