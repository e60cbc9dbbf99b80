/**
 * Keeps the benchmarks from rotting: `node bench/run.ts --smoke` runs every bench script with
 * about a second of load and tiny data sets against the real processes, and each must produce
 * its rows without an error. Nothing here looks at the numbers (no timing assertions).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const questions = ['ceiling', 'archiver read', 'archiver write', 'tracing cost', 'peers', 'fetch pipeline', 'big bodies', 'console ingest', 'console query', 'start-up', 'daemon down'];

test('every bench script runs (smoke) and reports its rows', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tfa-bench-smoke-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const json = join(dir, 'rows.json');
  const child = spawn(process.execPath, [join(root, 'bench', 'run.ts'), '--smoke', '--json', json], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b) => (output += b));
  child.stderr.on('data', (b) => (output += b));
  const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? s)));
  assert.equal(code, 0, output.slice(-6000));
  const { rows } = JSON.parse(readFileSync(json, 'utf8')) as { rows: { question: string; verdict: string; detail: string }[] };
  for (const q of questions) assert.ok(rows.some((r) => r.question === q), `no row for "${q}":\n${output.slice(-4000)}`);
  const errors = rows.filter((r) => r.verdict === 'error');
  assert.deepEqual(errors, [], output.slice(-4000));
});
