/**
 * The batched stdout logger: a lone line goes out within the 100 ms batch window while the
 * process lives, and every buffered line is written when the process exits (process.exit,
 * or the event loop running dry), in order. Runs the real logger in a child process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const logging = fileURLToPath(new URL('../src/logging.ts', import.meta.url));

function run(body: string, onLine?: (line: Record<string, any>, child: ReturnType<typeof spawn>) => void): Promise<Record<string, any>[]> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import { createLogger } from ${JSON.stringify(logging)};\nconst logger = createLogger('t');\n${body}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, any>[] = [];
  let rest = '';
  child.stdout!.on('data', (b: Buffer) => {
    const parts = (rest + b).split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      const j = JSON.parse(p);
      lines.push(j);
      onLine?.(j, child);
    }
  });
  return new Promise((resolve) => child.on('exit', () => resolve(lines)));
}

test('a lone line is written within the batch window, before the process ends', { timeout: 90_000 }, async () => {
  // The child would live 60 s; it is killed as soon as its line arrives, so the line came from
  // the batch timer, not from the exit hook.
  let killed = false;
  const lines = await run(`logger.info({ n: 1 }, 'lone'); setTimeout(() => {}, 60_000);`, (line, child) => {
    if (line.msg === 'lone') (killed = true), child.kill();
  });
  assert.equal(lines[0]?.msg, 'lone');
  assert.ok(killed);
});

test('every buffered line is written at exit, in order, with its fields', { timeout: 20_000 }, async () => {
  for (const end of ['process.exit(0);', '']) {
    const lines = await run(`for (let i = 0; i < 3000; i++) logger.child({ req_id: 'r' + i }).info({ n: i, url: '/x' }, 'request');\n${end}`);
    assert.equal(lines.length, 3000, end || 'loop ran dry');
    assert.deepEqual(lines.map((l) => l.n), [...Array(3000).keys()]);
    assert.equal(lines[2999].req_id, 'r2999');
    assert.equal(lines[0].service, 't');
    assert.equal(lines[0].level, 'info');
  }
});
