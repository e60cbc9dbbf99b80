/**
 * Faults around the fetcher: an upstream that trickles one byte a second (the deadline answers
 * 504 and frees the slot), and the archiver killed with SIGKILL in the middle of a 256 MiB
 * upload (the fetcher answers 503; the restarted archiver keeps nothing of it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { TestContext } from 'node:test';
import { startArchiver, startFetcher } from '@tfa/test-helpers/process';
import { freeTcpPorts } from '@tfa/test-helpers/ports';
import { tempDir } from '@tfa/test-helpers/tmp';
import { report, until } from '@tfa/test-helpers/faults';

/** A loopback upstream: /trickle sends a byte a second, /big?mib=N streams N MiB (counted in `sent`), anything else a short page. */
async function upstream(t: TestContext) {
  const state = { sent: 0 };
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/trickle') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      const timer = setInterval(() => res.write('.'), 1000);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (url.pathname === '/big') {
      const size = Number(url.searchParams.get('mib')) * 1024 * 1024;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
      const block = Buffer.alloc(1024 * 1024, 3);
      const pump = () => {
        while (state.sent < size && !res.destroyed) {
          state.sent += block.length;
          if (!res.write(block)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('fine');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, state };
}

async function fetchJson(url: string) {
  const t0 = performance.now();
  const res = await fetch(url);
  return { status: res.status, json: (await res.json()) as any, ms: performance.now() - t0 };
}

test('an upstream trickling a byte a second: the deadline answers 504 and frees the slot', async (t) => {
  const site = await upstream(t);
  const archiver = await startArchiver(t, { db: join(tempDir(t), 'a.db') });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port}`, args: ['--deadline', '2s', '--max-concurrent', '2'] });

  // A warm-up fetch, so the figures after the fault are not a cold start's.
  const warm = await fetchJson(`${fetcher.url}/fetch/${site.url}/warm`);
  assert.equal(warm.status, 200);
  const slow = [fetchJson(`${fetcher.url}/fetch/${site.url}/trickle`), fetchJson(`${fetcher.url}/fetch/${site.url}/trickle`)];
  // Both slots are taken while the trickle lasts: a third caller is told to come back.
  await new Promise((r) => setTimeout(r, 300));
  const busy = await fetchJson(`${fetcher.url}/fetch/${site.url}/fast`);
  assert.equal(busy.status, 503);
  assert.equal(busy.json.code, 'busy');
  const timedOut = await Promise.all(slow);
  for (const r of timedOut) {
    assert.equal(r.status, 504, JSON.stringify(r.json));
    assert.equal(r.json.code, 'upstream_timeout');
  }
  // The slots are free again at once.
  const ok = await fetchJson(`${fetcher.url}/fetch/${site.url}/fast`);
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  const second = await fetchJson(`${fetcher.url}/fetch/${site.url}/fast2`);
  assert.equal(second.status, 200);
  const list = await (await fetch(`${archiver.url}/archive`)).json();
  assert.equal(list.items.length, 3, 'nothing of the timed-out fetches was archived');
  report(t, 'upstream trickling 1 byte/s', {
    answer: `504 ${timedOut[0]!.json.code}`,
    answered_after_ms: timedOut.map((r) => Math.round(r.ms)),
    deadline_ms: 2000,
    while_it_lasts: `other callers 503 ${busy.json.code} (both slots taken)`,
    next_fetches_after_timeout: `200 in ${Math.round(ok.ms)} ms, then ${Math.round(second.ms)} ms (warm-up before the fault ${Math.round(warm.ms)} ms)`,
  });
});

test('the archiver killed during a 256 MiB upload: the fetcher answers 503, the restarted archiver keeps nothing of it', async (t) => {
  const site = await upstream(t);
  const db = join(tempDir(t), 'a.db');
  const [port] = await freeTcpPorts(1);
  const listen = ['--listen', `127.0.0.1:${port}`, '--max-body', '300MiB'];
  let archiver = await startArchiver(t, { db, args: listen });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port}`, args: ['--max-body', '300MiB', '--deadline', '60s'] });

  const big = fetchJson(`${fetcher.url}/fetch/${site.url}/big?mib=256`);
  // Kill it once the upload is well under way.
  await until('32 MiB of the upload sent', () => site.state.sent >= 32 * 1024 * 1024, 30_000);
  const killedAt = performance.now();
  archiver.child.kill('SIGKILL');
  await archiver.exited;
  const r = await big;
  assert.equal(r.status, 503, JSON.stringify(r.json));
  assert.equal(r.json.code, 'archiver_unavailable');
  const answeredMs = Math.round(performance.now() - killedAt);
  const sentAtKill = site.state.sent;

  // While it is down: /health 503, fetches 503 archiver_unavailable.
  assert.equal((await fetch(`${fetcher.url}/health`)).status, 503);
  const down = await fetchJson(`${fetcher.url}/fetch/${site.url}/fast`);
  assert.equal(down.status, 503);
  assert.equal(down.json.code, 'archiver_unavailable');

  const restartAt = performance.now();
  archiver = await startArchiver(t, { db, args: listen });
  const startedMs = Math.round(performance.now() - restartAt);
  const healthMs = await until('fetcher /health 200 after the archiver restarted', async () => (await fetch(`${fetcher.url}/health`)).status === 200);
  const ok = await fetchJson(`${fetcher.url}/fetch/${site.url}/fast`);
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  await archiver.stop();

  const sql = new DatabaseSync(db, { readOnly: true });
  const n = (q: string) => Number((sql.prepare(q).get() as { n: number }).n);
  const left = { archives: n('SELECT count(*) n FROM archives'), pending: n('SELECT count(*) n FROM blobs WHERE pending = 1'), chunks: n('SELECT count(*) n FROM chunks') };
  sql.close();
  assert.deepEqual(left, { archives: 1, pending: 0, chunks: 1 }, 'only the later small archive is stored; nothing of the killed upload');
  report(t, 'archiver SIGKILL during a 256 MiB upload', {
    killed_after_mib_sent: Math.round(sentAtKill / 1024 / 1024),
    fetcher_answer: `503 ${r.json.code}`,
    answered_after_kill_ms: answeredMs,
    while_down: `fetch 503 ${down.json.code}, /health 503`,
    archiver_restart_ms: startedMs,
    fetcher_health_green_after_restart_ms: healthMs,
    partial_archive_after_restart: 'none (0 pending blobs, 0 stray chunks)',
  });
});
