/**
 * Lingering close: an answer given before the request body was read reaches clients that
 * write the whole body before they read (a raw socket, Python's urllib and requests, Java's
 * HttpURLConnection), on the archiver and on the console's ingest routes; a client that sends
 * forever is still cut off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { createHttpApp } from '../src/http.ts';
import { appError } from '../src/errors.ts';
import { root, startArchiver } from '@tfa/test-helpers/process';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';

const MiB = 1024 * 1024;
const run = promisify(execFile);

/** Writes the request head and `size` body bytes (all of them, honouring backpressure), then reads the answer to its end. */
async function writeAllThenRead(port: number, head: string, size: number, options: { chunked?: boolean } = {}): Promise<{ answer: string; written: number; error?: string }> {
  // Half-open, as a socket in C or Python is: the server's FIN after its answer does not stop the writes.
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await once(socket, 'connect');
  const got: Buffer[] = [];
  socket.on('data', (b) => got.push(b));
  let error: string | undefined;
  socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  const block = Buffer.alloc(MiB, 0x61);
  let written = 0;
  socket.write(`${head}${options.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`}\r\n\r\n`);
  while (written < size && !error && !socket.destroyed) {
    const piece = block.subarray(0, Math.min(MiB, size - written));
    const ok = socket.write(options.chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece);
    written += piece.length;
    if (!ok) await Promise.race([new Promise((r) => socket.once('drain', r)), ended]);
  }
  if (options.chunked && !error && !socket.destroyed) socket.write('0\r\n\r\n');
  // Read the whole answer, then close, as such a client does (no half-close: Node's server
  // takes a client's FIN before its answer as an abort).
  const answered = () => {
    const text = Buffer.concat(got).toString();
    const at = text.indexOf('\r\n\r\n');
    const length = /\r\ncontent-length: (\d+)\r\n/i.exec(text);
    return at >= 0 && length !== null && Buffer.byteLength(text) - at - 4 >= Number(length[1]);
  };
  while (!socket.destroyed && !answered()) await Promise.race([new Promise((r) => socket.once('data', r)), ended]);
  socket.destroy();
  await ended;
  return { answer: Buffer.concat(got).toString(), written, error };
}

function assertAnswer(r: { answer: string; written: number; error?: string }, size: number, status: number, code: string) {
  assert.equal(r.written, size, `the client wrote its whole body (${r.error ?? 'no error'})`);
  assert.equal(r.error, undefined, 'no reset while the client was writing');
  assert.match(r.answer, new RegExp(`^HTTP/1\\.1 ${status} `), r.answer.slice(0, 200));
  assert.match(r.answer, /\r\nconnection: close\r\n/i);
  assert.equal(JSON.parse(r.answer.slice(r.answer.indexOf('\r\n\r\n') + 4)).code, code);
}

test('archiver: 413 over --max-body and 401 reach a client that writes 64 MiB + 1 byte first', async (t) => {
  const dir = tempDir(t);
  const open = await startArchiver(t, { db: join(dir, 'a.db') });
  const port = Number(new URL(open.url).port);
  const head = 'POST /archive HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nX-Archive-Status: 200\r\n';
  // Refused on its declared length, before a byte of the body is read.
  assertAnswer(await writeAllThenRead(port, head, 64 * MiB + 1), 64 * MiB + 1, 413, 'body_too_large');
  // Chunked: refused once 64 MiB have been read and stored (the route drops the request stream), 16 MiB still coming.
  assertAnswer(await writeAllThenRead(port, head, 80 * MiB, { chunked: true }), 80 * MiB, 413, 'body_too_large');
  assert.equal((await (await fetch(`${open.url}/archive`)).json()).items.length, 0, 'nothing was kept of the refused uploads');

  const locked = await startArchiver(t, { db: join(dir, 'b.db'), token: 'secret-token-1234' });
  assertAnswer(await writeAllThenRead(Number(new URL(locked.url).port), head, 8 * MiB), 8 * MiB, 401, 'unauthorized');
});

test('console ingest: 413 on /v1/traces and /TraceSegments reaches a client that writes 64 MiB + 1 byte first', async (t) => {
  const c = await startConsole(t, { db: join(tempDir(t), 't.db') });
  // PutTraceSegments answers in AWS's own shape: 400 InvalidRequestException.
  for (const [path, type, status] of [
    ['/v1/traces', 'application/x-protobuf', 413],
    ['/TraceSegments', 'application/json', 400],
  ] as const) {
    const r = await writeAllThenRead(c.port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\n`, 64 * MiB + 1);
    assert.equal(r.written, 64 * MiB + 1, `${path}: the client wrote its whole body (${r.error ?? 'no error'})`);
    assert.equal(r.error, undefined);
    assert.match(r.answer, new RegExp(`^HTTP/1\\.1 ${status} `), `${path}: ${r.answer.slice(0, 200)}`);
    assert.match(r.answer, /too large/i);
  }
  assert.equal((await c.get('/health')).status, 200);
});

test('urllib, requests and HttpURLConnection read the archiver\'s 413', async (t) => {
  const dir = tempDir(t);
  const a = await startArchiver(t, { db: join(dir, 'a.db'), args: ['--max-body', '1MiB'] });
  const size = String(16 * MiB);
  const python = await run('python3', [join(root, 'test/fixtures/write_all_then_read.py'), `${a.url}/archive`, size]).catch((err) => {
    if (!process.env.CI && /No module named 'requests'/.test(String(err.stderr))) return undefined;
    throw err;
  });
  if (!python) t.diagnostic('python3-requests is not installed: the Python clients were not run');
  else {
    const lines = python.stdout.trim().split('\n');
    assert.equal(lines.length, 2, python.stdout);
    for (const [i, name] of ['urllib', 'requests'].entries()) {
      assert.match(lines[i]!, new RegExp(`^${name} 413 `), lines[i]);
      assert.equal(JSON.parse(lines[i]!.slice(`${name} 413 `.length)).code, 'body_too_large');
    }
  }
  // `java File.java` compiles and runs a single source file in one step.
  const javaDir = tempDir(t);
  copyFileSync(join(root, 'test/fixtures/WriteAllThenRead.java'), join(javaDir, 'WriteAllThenRead.java'));
  const java = await run('java', [join(javaDir, 'WriteAllThenRead.java'), `${a.url}/archive`, size], { cwd: javaDir, timeout: 60_000 }).catch((err) => {
    if (!process.env.CI && err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!java) return t.diagnostic('no java on PATH: HttpURLConnection was not run');
  assert.match(java.stdout, /^413 /, java.stdout + java.stderr);
  assert.equal(JSON.parse(java.stdout.slice(4)).code, 'body_too_large');
});

test('a client that sends forever after an early answer is cut off at the linger limits', async (t) => {
  const app = await createHttpApp({ logger: pino({ level: 'silent' }), title: 't', description: 't', version: '0', linger: { ms: 1500, idleMs: 500, bytes: 8 * MiB } });
  app.post('/upload', async () => {
    throw appError('body_too_large', 'refused before reading');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const port = (app.server.address() as AddressInfo).port;
  const started = Date.now();
  const r = await writeAllThenRead(port, 'POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n', 1024 * MiB, { chunked: true });
  assert.ok(r.written < 1024 * MiB, `cut off after ${r.written} bytes`);
  assert.ok(Date.now() - started < 10_000, 'within the linger limits');
  assert.match(r.answer, /^HTTP\/1\.1 413 /, 'the answer came first');
  // A client that stops sending is cut off by the idle limit.
  const idle = connect(port, '127.0.0.1');
  await once(idle, 'connect');
  idle.on('data', () => {});
  idle.write('POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\nabc');
  const idleStart = Date.now();
  await once(idle, 'close');
  assert.ok(Date.now() - idleStart < 5_000, 'closed after the idle limit');
});
