/** The archiver as a real process: config errors, restarts, SIGKILL durability, streaming limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { freeTcpPorts } from '@tfa/test-helpers/ports';
import { run, startArchiver } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** POSTs a raw body over a real connection; resolves with status and parsed JSON. */
function postRaw(base: string, body: Buffer | AsyncIterable<Buffer>, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}/archive`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-archive-status': '200', ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(parts).toString() || 'null') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else
      (async () => {
        try {
          for await (const c of body) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
          req.end();
        } catch {
          req.destroy();
        }
      })();
  });
}

function counts(db: string) {
  const sql = new DatabaseSync(db, { readOnly: true });
  try {
    const n = (q: string) => Number((sql.prepare(q).get() as { n: number }).n);
    return { archives: n('SELECT count(*) n FROM archives'), blobs: n('SELECT count(*) n FROM blobs'), pending: n('SELECT count(*) n FROM blobs WHERE pending = 1'), chunks: n('SELECT count(*) n FROM chunks') };
  } finally {
    sql.close();
  }
}

test('bad configuration exits 2 with one line naming the setting', async () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--listen', 'nope'], {}, /--listen/],
    [['--max-body', '0'], {}, /--max-body/],
    [['--bogus'], {}, /bogus/],
    [[], { ARCHIVER_LISTEN: 'x:99999' }, /ARCHIVER_LISTEN/],
    [['--db', 'postgres://[bad'], {}, /--db/],
    // A PostgreSQL URL nobody answers (a loopback port just freed): one line, password hidden.
    [['--db', `postgres://u:secret@127.0.0.1:${(await freeTcpPorts(1))[0]}/db`], {}, /^archiver: cannot open --db postgres:\/\/u:\*\*\*@127\.0\.0\.1:\d+\/db: PostgreSQL at .*ECONNREFUSED/],
    [['--listen', '0.0.0.0:0'], {}, /refusing to listen on 0\.0\.0\.0 without a token/],
  ];
  for (const [args, env, pattern] of cases) {
    const r = await run('archiver', args, { env });
    assert.equal(r.code, 2, args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
    assert.doesNotMatch(r.stderr, /\bat .*:\d+:\d+/);
  }
});

test('oversized headers and a malformed request line get the JSON error shape', async (t) => {
  const db = join(tempDir(t), 'a.db');
  const a = await startArchiver(t, { db });
  const { port } = new URL(a.url);
  const raw = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
      let out = '';
      socket.on('data', (b) => (out += b));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
    });
  const big = await raw(`GET /archive/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(big, /^HTTP\/1\.1 431 /);
  const body = JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4));
  assert.equal(body.code, 'header_too_large');
  assert.deepEqual(Object.keys(body).sort(), ['code', 'detail', 'id', 'status']);
  const garbage = await raw('NOT A REQUEST\r\n\r\n');
  assert.match(garbage, /^HTTP\/1\.1 400 /);
  assert.equal(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4)).code, 'bad_request');
  assert.equal((await fetch(`${a.url}/health`)).status, 200, 'the server is unharmed');
});

test('archives survive a restart; SIGTERM exits 0', async (t) => {
  const db = join(tempDir(t), 'a.db');
  const a = await startArchiver(t, { db });
  const res = await postRaw(a.url, Buffer.from('persist me'), { 'content-type': 'text/plain' });
  assert.equal(res.status, 201);
  assert.equal(await a.stop('SIGTERM'), 0);
  const b = await startArchiver(t, { db });
  const got = await (await fetch(`${b.url}${res.json.href}`)).json();
  assert.equal(got.body, 'persist me');
  assert.equal(await b.stop('SIGINT'), 0);
});

test('SIGKILL under concurrent writes: every acknowledged archive is intact, nothing half-written is visible', async (t) => {
  const db = join(tempDir(t), 'a.db');
  const a = await startArchiver(t, { db });
  const acked: { href: string; sha: string }[] = [];
  let stop = false;
  const writer = async (n: number) => {
    for (let i = 0; !stop; i++) {
      // a mix of small and multi-chunk bodies, each unique
      const size = [100, 5000, 300 * 1024, 700 * 1024][(n + i) % 4]!;
      const body = randomBytes(size);
      try {
        const r = await postRaw(a.url, body);
        if (r.status === 201) acked.push({ href: r.json.href, sha: sha(body) });
      } catch {
        return; // the process died mid-request: this one was never acknowledged
      }
    }
  };
  const writers = Array.from({ length: 8 }, (_, n) => writer(n));
  await new Promise((r) => setTimeout(r, 1500));
  a.child.kill('SIGKILL');
  await a.exited;
  stop = true;
  await Promise.all(writers);
  assert.ok(acked.length > 10, `only ${acked.length} writes were acknowledged`);

  const b = await startArchiver(t, { db });
  for (const { href, sha: expected } of acked) {
    const res = await fetch(`${b.url}${href}/body`);
    assert.equal(res.status, 200, href);
    assert.equal(sha(Buffer.from(await res.arrayBuffer())), expected, href);
  }
  await b.stop();
  const c = counts(db);
  assert.equal(c.pending, 0, 'a restart removes uploads that never committed');
  // every visible archive has all of its bytes
  const sql = new DatabaseSync(db, { readOnly: true });
  t.after(() => sql.close());
  const broken = sql.prepare('SELECT b.id FROM blobs b WHERE b.size != (SELECT coalesce(sum(length(data)), 0) FROM chunks c WHERE c.blob_id = b.id)').all();
  assert.deepEqual(broken, []);
  t.diagnostic(`${acked.length} acknowledged archives intact after SIGKILL`);
});

test('limits and gone clients leave no rows and no chunks', async (t) => {
  const db = join(tempDir(t), 'a.db');
  const a = await startArchiver(t, { db, args: ['--max-body', '1MiB'] });
  // chunked upload, no Content-Length: cut off while streaming
  async function* chunks() {
    for (let i = 0; i < 8; i++) yield Buffer.alloc(256 * 1024, i);
  }
  const over = await postRaw(a.url, chunks()).catch((e) => ({ status: 0, json: String(e) }));
  if (over.status !== 0) {
    assert.equal(over.status, 413);
    assert.equal(over.json.code, 'body_too_large');
  }
  // declared too large: refused before reading
  const declared = await postRaw(a.url, Buffer.alloc(1024 * 1024 + 1));
  assert.equal(declared.status, 413);
  // a client that goes away mid-upload
  await new Promise<void>((resolve) => {
    const req = httpRequest(`${a.url}/archive`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-archive-status': '200', 'transfer-encoding': 'chunked' } });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(300 * 1024, 1), () => setTimeout(() => (req.destroy(), resolve()), 200));
  });
  await new Promise((r) => setTimeout(r, 300));
  const ok = await postRaw(a.url, Buffer.from('still fine'));
  assert.equal(ok.status, 201);
  await a.stop();
  assert.deepEqual(counts(db), { archives: 1, blobs: 1, pending: 0, chunks: 1 });
});

test('a 256 MiB body streams in and out with bounded memory', async (t) => {
  const db = join(tempDir(t), 'a.db');
  const a = await startArchiver(t, { db, args: ['--max-body', '300MiB'] });
  const pid = a.child.pid!;
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
  const block = randomBytes(1024 * 1024);
  const hash = createHash('sha256');
  async function* body() {
    for (let i = 0; i < 256; i++) {
      hash.update(block);
      yield block;
    }
  }
  const started = performance.now();
  const res = await postRaw(a.url, body());
  const inSeconds = (performance.now() - started) / 1000;
  assert.equal(res.status, 201);
  assert.equal(res.json.size, 256 * 1024 * 1024);
  assert.equal(res.json.sha256, hash.digest('hex'));
  const outStarted = performance.now();
  const out = await fetch(`${a.url}${res.json.href}/body`);
  const readHash = createHash('sha256');
  for await (const c of out.body!) readHash.update(c);
  const outSeconds = (performance.now() - outStarted) / 1000;
  clearInterval(sampler);
  assert.equal(readHash.digest('hex'), res.json.sha256);
  const growth = (peak - before) / 1024 / 1024;
  t.diagnostic(`256 MiB: in ${(256 / inSeconds).toFixed(0)} MB/s, out ${(256 / outSeconds).toFixed(0)} MB/s, archiver RSS growth ${growth.toFixed(1)} MiB`);
  assert.ok(growth < 96, `RSS grew by ${growth.toFixed(1)} MiB`);
});
