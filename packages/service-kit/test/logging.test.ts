/**
 * The batched stdout logger: a lone line goes out within the 100 ms batch window while the
 * process lives, and every buffered line is written when the process exits (process.exit,
 * or the event loop running dry), in order. Runs the real logger in a child process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isoStamp } from '../src/logging.ts';

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

test('the request line (logRequest) is the line pino writes for the same fields, escaping included', { timeout: 20_000 }, async () => {
  const url = '/x?q="quoted"\\back\nline\u2028é\u0001';
  const lines = await run(
    `const { logRequest } = await import(${JSON.stringify(logging)});
     const child = logger.child({ req_id: 'r"1' });
     child.info({ method: 'GET', url: ${JSON.stringify(url)}, status: 404, ms: 0.25, trace_id: '1-6b0fb195-cea3061ec99690aace06e730', span_id: 'b855141e61ce01b7' }, 'request');
     logRequest(child, 'GET', ${JSON.stringify(url)}, 404, 0.25, ',"trace_id":"1-6b0fb195-cea3061ec99690aace06e730","span_id":"b855141e61ce01b7"');
     logRequest(child, 'DELETE', '/y', 500, 1);
     const quiet = (await import(${JSON.stringify(logging)})).createLogger('q', { level: 'warn' });
     logRequest(quiet.child({ req_id: 'z' }), 'GET', '/z', 200, 0);
     process.exit(0);`,
  );
  assert.equal(lines.length, 3, 'a logger above info writes no request line');
  const [viaPino, fast, plain] = lines;
  const { time: t1, ...a } = viaPino!;
  const { time: t2, ...b } = fast!;
  assert.match(String(t2), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Math.abs(Date.parse(String(t1)) - Date.parse(String(t2))) < 1000);
  assert.deepEqual(Object.keys(b), Object.keys(a), 'same fields in the same order');
  assert.deepEqual(b, a);
  assert.equal(b.url, url);
  assert.deepEqual(plain, { level: 'info', time: plain!.time, service: 't', req_id: 'r"1', method: 'DELETE', url: '/y', status: 500, ms: 1, msg: 'request' });
});

test('logRequest falls back to the plain call for a logger not made by createLogger', async () => {
  const { pino } = await import('pino');
  const { logRequest } = await import('../src/logging.ts');
  const out: string[] = [];
  const custom = pino({ base: { service: 'c' } }, { write: (s: string) => void out.push(s) });
  logRequest(custom.child({ req_id: 'k' }), 'GET', '/c', 201, 2, ',"trace_id":"1-00000001-000000000000000000000001","span_id":"0000000000000001"');
  const line = JSON.parse(out[0]!);
  assert.equal(line.msg, 'request');
  assert.equal(line.req_id, 'k');
  assert.equal(line.trace_id, '1-00000001-000000000000000000000001');
  assert.equal(line.status, 201);
});

test('log timestamps: the cached per-second prefix reads exactly as toISOString', () => {
  const times = [0, 1, 999, 1000, 1001, Date.now(), Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1, 0, 0, 0, 0), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -1, -1000, -62198755200000];
  // Within one second, across a second boundary, and back to an earlier second.
  for (let t = 1_796_239_044_990; t < 1_796_239_045_010; t++) times.push(t);
  times.push(1_796_239_044_500);
  for (const t of times) assert.equal(isoStamp(t), `,"time":"${new Date(t).toISOString()}"`, String(t));
});
