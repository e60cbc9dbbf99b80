/**
 * Disk full, on a real small tmpfs filled to the last byte: the archiver answers 507
 * insufficient_storage and /health 503 with the reason while reads go on, and both the
 * archiver and trace-console recover by themselves once space is freed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startArchiver, startFetcher } from '@tfa/test-helpers/process';
import { startConsole } from '@tfa/test-helpers/console';
import { datagram, segment, traceId } from '../../packages/trace-console/test/fixtures.ts';
import { fillDisk, report, smallTmpfs, tmpfsSkipReason, until } from '@tfa/test-helpers/faults';

const skip = tmpfsSkipReason();
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function post(base: string, body: Buffer): Promise<{ status: number; json: any; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/archive`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-archive-status': '200' }, body: new Uint8Array(body) });
  return { status: res.status, json: await res.json(), ms: performance.now() - t0 };
}

async function health(base: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/health`);
  return { status: res.status, text: await res.text() };
}

test('archiver, disk full: 507 insufficient_storage, /health 503 with the reason, reads served, recovery without restart', { skip }, async (t) => {
  const dir = smallTmpfs(t, '24m');
  const db = join(dir, 'archive.db');
  const a = await startArchiver(t, { db });
  // A fetcher in front: its callers see the archiver's 507 too.
  const page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(randomBytes(110 * 1024).toString('hex')));
  await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (page.closeAllConnections(), page.close(() => r()))));
  const pagePort = (page.address() as AddressInfo).port;
  const f = await startFetcher(t, { archiver: a.url, allow: `127.0.0.1:${pagePort}` });
  const acknowledged = new Map<number, string>();
  for (let i = 0; i < 5; i++) {
    const body = randomBytes(100 * 1024);
    const r = await post(a.url, body);
    assert.equal(r.status, 201);
    acknowledged.set(r.json.id, sha(body));
  }

  const fill = fillDisk(join(dir, 'filler'));
  // The WAL may still have room inside its file: write until the disk refuses.
  let full: Awaited<ReturnType<typeof post>> | undefined;
  for (let i = 0; i < 200 && !full; i++) {
    // One chunk (under 256 KiB): the body is read whole before the write that fails.
    const body = randomBytes(200 * 1024);
    const r = await post(a.url, body);
    if (r.status === 201) acknowledged.set(r.json.id, sha(body));
    else full = r;
  }
  assert.ok(full, 'a write failed once the disk was full');
  assert.equal(full.status, 507, JSON.stringify(full.json));
  assert.equal(full.json.code, 'insufficient_storage');
  assert.equal(full.json.status, 507);
  assert.match(full.json.detail, /disk is full/);
  assert.deepEqual(Object.keys(full.json).sort(), ['code', 'detail', 'id', 'status']);

  const viaFetcher = await fetch(`${f.url}/fetch/http://127.0.0.1:${pagePort}/page`);
  const viaFetcherJson = await viaFetcher.json();
  assert.equal(viaFetcher.status, 507, JSON.stringify(viaFetcherJson));
  assert.equal(viaFetcherJson.code, 'insufficient_storage');
  assert.match(viaFetcherJson.detail, /disk is full/);
  const contract = await (await fetch(`${f.url}/openapi.json`)).json();
  assert.ok(contract.paths['/fetch'].post.responses['507'], "the fetcher's OpenAPI lists 507");
  // While it lasts: every write 507, /health 503 naming the disk, reads still answered.
  const again = await post(a.url, Buffer.from('small, but the disk is full'));
  const h = await health(a.url);
  assert.equal(h.status, 503);
  assert.match(h.text, /disk is full/);
  // Only a write that reached the disk is refused; a tiny one may fit in the WAL's free pages.
  assert.ok(again.status === 507 || again.status === 201, JSON.stringify(again.json));
  if (again.status === 201) acknowledged.set(again.json.id, sha(Buffer.from('small, but the disk is full')));
  for (const [id, digest] of acknowledged) {
    const res = await fetch(`${a.url}/archive/${id}/body`);
    assert.equal(res.status, 200);
    assert.equal(sha(Buffer.from(await res.arrayBuffer())), digest);
  }

  // Space comes back: /health turns green and writes succeed, with no restart.
  fill();
  const freedAt = performance.now();
  const healthMs = await until('/health 200 after space came back', async () => (await health(a.url)).status === 200);
  const body = randomBytes(512 * 1024);
  const ok = await post(a.url, body);
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
  acknowledged.set(ok.json.id, sha(body));
  const writeMs = Math.round(performance.now() - freedAt);

  // Nothing acknowledged was lost, and no half-written upload stayed behind.
  await a.stop();
  const sql = new DatabaseSync(db, { readOnly: true });
  const n = (q: string) => Number((sql.prepare(q).get() as { n: number }).n);
  assert.equal(n('SELECT count(*) n FROM archives'), acknowledged.size);
  assert.equal(n('SELECT count(*) n FROM blobs WHERE pending = 1'), 0);
  sql.close();
  report(t, 'archiver disk full', {
    write_answer: `${full.status} ${full.json.code}`,
    fetcher_answer: `${viaFetcher.status} ${viaFetcherJson.code}`,
    refused_in_ms: Math.round(full.ms),
    health: `${h.status} "${h.text}"`,
    reads: 'served (200)',
    acknowledged_before: acknowledged.size - 1,
    lost: 0,
    health_green_after_free_ms: healthMs,
    first_write_after_free_ms: writeMs,
  });
});

test('trace-console, disk full: ingest keeps running, the loss is counted with the reason, then traces are stored again', { skip }, async (t) => {
  const dir = smallTmpfs(t, '16m');
  const c = await startConsole(t, { db: join(dir, 'traces.db') });
  const bigSegment = (id: string) => datagram(segment(id, { metadata: { default: { pad: 'x'.repeat(30_000) } } }));

  const before = traceId();
  await c.send(bigSegment(before));
  await c.waitForTrace(before);

  const fill = fillDisk(join(dir, 'filler'));
  // Keep sending until the store reports a failed write.
  const lostMs = await until('a write error in /api/diagnostics', async () => {
    await c.send(...Array.from({ length: 20 }, () => bigSegment(traceId())));
    const d = await c.get('/api/diagnostics');
    return d.json.store.writeErrors > 0;
  });
  const during = (await c.get('/api/diagnostics')).json;
  assert.match(during.store.lastWriteError, /disk is full/);
  // Ingest and the API keep running: the console still answers and still reads what it stored.
  assert.equal((await c.get('/health')).status, 200);
  assert.equal((await c.get(`/api/traces/${before}`)).status, 200);
  assert.ok(during.senders.some((s: { received: number }) => s.received > 0));

  fill();
  const after = traceId();
  const resumeMs = await until('a trace stored after space came back', async () => {
    await c.send(bigSegment(after));
    return (await c.get(`/api/traces/${after}`)).status === 200;
  });
  assert.equal(c.child.exitCode, null, 'the console is still running');
  report(t, 'trace-console disk full', {
    noticed_after_ms: lostMs,
    diagnostics: `writeErrors=${during.store.writeErrors} lastWriteError="${during.store.lastWriteError.slice(0, 40)}…"`,
    health: 200,
    stored_again_after_free_ms: resumeMs,
  });
});
