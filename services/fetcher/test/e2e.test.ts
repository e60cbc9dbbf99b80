/** Fetcher and archiver as real processes with a loopback upstream. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, start, startArchiver, startFetcher } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';
import { allBytes, startSite } from './sites.ts';

async function fetchJson(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

test('fetch and archive: bodies byte-identical, statuses kept, URL forms, errors', async (t) => {
  const dir = tempDir(t);
  const site = await startSite(t);
  const archiver = await startArchiver(t, { db: join(dir, 'a.db') });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port}`, args: ['--deadline', '1500ms', '--max-body', '1MiB'] });
  const body = async (href: string) => Buffer.from(await (await fetch(`${archiver.url}${href}/body`)).arrayBuffer());

  await t.test('text and binary pages come back byte-identical', async () => {
    const text = await fetchJson(`${fetcher.url}/fetch/${site.url}/text`);
    assert.equal(text.status, 200);
    assert.equal(text.json.status, 200);
    assert.match(text.json.archive_href, /^\/archive\/[0-9]+$/, "the original's contract: the archive's path");
    assert.equal(text.json.archive_url, `${archiver.url}${text.json.archive_href}`);
    assert.equal((await body(text.json.archive_href)).toString(), '<h1>héllo</h1>');
    const media = (await fetchJson(text.json.archive_url)).json;
    assert.equal(media.content_type, 'text/html; charset=utf-8');
    assert.equal(media.url, `${site.url}/text`);
    assert.equal(media.headers.etag, '"t1"');
    assert.equal(media.headers['set-cookie'], undefined, 'per-client state is not archived');
    const bin = await fetchJson(`${fetcher.url}/fetch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${site.url}/bin` }) });
    assert.deepEqual(await body(bin.json.archive_href), allBytes);
    const json = await fetchJson(`${fetcher.url}/fetch/${site.url}/json`);
    assert.equal((await body(json.json.archive_href)).toString(), '{"a":1}', 'a JSON document is archived as a document');
  });

  await t.test('the target keeps its own query string and //; percent-encoded targets work', async () => {
    const q = await fetchJson(`${fetcher.url}/fetch/${site.url}/a//b?x=1&y=%20`);
    assert.equal((await body(q.json.archive_href)).toString(), 'path /a//b?x=1&y=%20');
    const enc = await fetchJson(`${fetcher.url}/fetch/${encodeURIComponent(`${site.url}/c?d=2`)}`);
    assert.equal((await body(enc.json.archive_href)).toString(), 'path /c?d=2');
  });

  await t.test('upstream 404, 429 and 500 are archived with their status and reported as 200', async () => {
    for (const code of [404, 429, 500]) {
      const r = await fetchJson(`${fetcher.url}/fetch/${site.url}/${code}`);
      assert.equal(r.status, 200);
      assert.equal(r.json.status, code);
      assert.equal((await fetchJson(r.json.archive_url)).json.status, code);
    }
  });

  await t.test('redirects: a chain is followed, too many is refused', async () => {
    const ok = await fetchJson(`${fetcher.url}/fetch/${site.url}/redir/3`);
    assert.equal(ok.json.status, 200);
    assert.equal(ok.json.url, `${site.url}/text`);
    const tooMany = await fetchJson(`${fetcher.url}/fetch/${site.url}/redir/6`);
    assert.equal(tooMany.status, 502);
    assert.equal(tooMany.json.code, 'too_many_redirects');
  });

  await t.test('a redirect to a blocked address is refused', async () => {
    const r = await fetchJson(`${fetcher.url}/fetch/${site.url}/to-blocked`);
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'blocked_destination');
  });

  await t.test('a server that never answers is a 504 within the deadline', async () => {
    const started = Date.now();
    const r = await fetchJson(`${fetcher.url}/fetch/${site.url}/hang`);
    assert.equal(r.status, 504);
    assert.equal(r.json.code, 'upstream_timeout');
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  await t.test('a body over the limit is a 413 and nothing is archived', async () => {
    const before = (await fetchJson(`${archiver.url}/archive?limit=1000`)).json.items.length;
    for (const path of ['/big?mib=2', '/big?mib=2&chunked']) {
      const r = await fetchJson(`${fetcher.url}/fetch/${site.url}${path}`);
      assert.equal(r.status, 413, path);
      assert.equal(r.json.code, 'body_too_large', path);
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await fetchJson(`${archiver.url}/archive?limit=1000`)).json.items.length, before);
  });

  await t.test('bad input: invalid URL, unsupported scheme, errors in the contract shape', async () => {
    const cases: [string, number, string][] = [
      ['/fetch/not-a-url', 400, 'invalid_url'],
      ['/fetch/ftp://example.com/', 400, 'unsupported_scheme'],
      ['/fetch/file:///etc/passwd', 400, 'unsupported_scheme'],
      ['/fetch/http://', 400, 'invalid_url'],
    ];
    for (const [path, status, code] of cases) {
      const r = await fetchJson(`${fetcher.url}${path}`);
      assert.equal(r.status, status, path);
      assert.equal(r.json.code, code, path);
      assert.deepEqual(Object.keys(r.json).sort(), ['code', 'detail', 'id', 'status']);
    }
    const post = await fetchJson(`${fetcher.url}/fetch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"uri":1}' });
    assert.equal(post.status, 400);
    assert.equal(post.json.code, 'validation_failed');
  });

  await t.test('fetcher-cli prints the answer, or code: detail and a non-zero exit', async () => {
    const ok = await run('fetcher-cli', ['fetch', `${site.url}/text`, '--fetcher', fetcher.url]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).status, 200);
    const original = await run('fetcher-cli', ['fetch', 'fetcher', `/fetch/${site.url}/404`], { env: { FETCHER_URL: fetcher.url } });
    assert.equal(JSON.parse(original.stdout).status, 404);
    const blocked = await run('fetcher-cli', ['fetch', 'http://127.0.0.1:1/', '--fetcher', fetcher.url]);
    assert.equal(blocked.code, 1);
    assert.equal(blocked.stderr.trim(), 'blocked_destination: 127.0.0.1 is a loopback address');
  });

  await t.test('health follows the archiver; a dead archiver makes fetches 503', async () => {
    assert.equal(await (await fetch(`${fetcher.url}/health`)).text(), 'OK');
    await archiver.stop('SIGKILL');
    const health = await fetch(`${fetcher.url}/health`);
    assert.equal(health.status, 503);
    const r = await fetchJson(`${fetcher.url}/fetch/${site.url}/text`);
    assert.equal(r.status, 503);
    assert.equal(r.json.code, 'archiver_unavailable');
  });
});

test('SSRF: loopback in every spelling is refused without a packet reaching the server', async (t) => {
  const dir = tempDir(t);
  const site = await startSite(t);
  const archiver = await startArchiver(t, { db: join(dir, 'a.db') });
  const fetcher = await startFetcher(t, { archiver: archiver.url });
  const p = site.port;
  const forms = [
    `http://127.0.0.1:${p}/`,
    `http://localhost:${p}/`,
    `http://[::1]:${p}/`,
    `http://2130706433:${p}/`,
    `http://0x7f.1:${p}/`,
    `http://0177.0.0.1:${p}/`,
    `http://127.1:${p}/`,
    `http://127.0.0.2:${p}/`,
    `http://[::ffff:127.0.0.1]:${p}/`,
    `http://localhost.:${p}/`,
    `http://0.0.0.0:${p}/`,
    `http://[::]:${p}/`,
  ];
  for (const form of forms) {
    const r = await fetchJson(`${fetcher.url}/fetch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: form }) });
    assert.equal(r.status, 403, form);
    assert.equal(r.json.code, 'blocked_destination', form);
    assert.doesNotMatch(r.json.detail, /node_modules|\bat\s|Error:/, form);
  }
  assert.deepEqual(site.seen, [], 'the site never saw a request');
});

test('the allow list opens exactly what it names', async (t) => {
  const dir = tempDir(t);
  const site = await startSite(t);
  const other = await startSite(t);
  const archiver = await startArchiver(t, { db: join(dir, 'a.db') });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port},localhost:${other.port}` });
  const status = async (url: string) => (await fetchJson(`${fetcher.url}/fetch/${url}`)).status;
  assert.equal(await status(`${site.url}/text`), 200, 'named ip:port');
  assert.equal(await status(`http://localhost:${other.port}/text`), 200, 'named host:port');
  assert.equal(await status(`http://127.0.0.1:${other.port}/text`), 403, 'same server by another name is not named');
  assert.equal(await status(`http://127.0.0.2:${site.port}/text`), 403, 'a neighbouring address is not');
  assert.equal(await status(`${archiver.url}/health`), 403, 'the archiver is not reachable through /fetch');
});

test('start-up: the fetcher waits for the archiver, and gives up with one line', async (t) => {
  const dir = tempDir(t);
  // pick a free port for the archiver-to-be
  const probe = await startArchiver(t, { db: join(dir, 'probe.db') });
  const port = new URL(probe.url).port;
  await probe.stop();
  const fetcher = start(t, 'fetcher', ['--listen', '127.0.0.1:0', '--archiver', `http://127.0.0.1:${port}`, '--wait', '20s'], { env: { OTEL_TRACES_EXPORTER: 'none' } });
  await fetcher.waitFor('waiting for the archiver');
  const archiver = start(t, 'archiver', ['--listen', `127.0.0.1:${port}`, '--db', join(dir, 'a.db')], { env: { OTEL_TRACES_EXPORTER: 'none' } });
  await archiver.waitFor('archiver listening');
  const line = await fetcher.waitFor('fetcher listening');
  assert.equal(await (await fetch(`${line.address}/health`)).text(), 'OK');
  assert.equal(await fetcher.stop('SIGTERM'), 0);

  const gaveUp = await run('fetcher', ['--listen', '127.0.0.1:0', '--archiver', 'http://127.0.0.1:1', '--wait', '1s'], { env: { OTEL_TRACES_EXPORTER: 'none' } });
  assert.equal(gaveUp.code, 1);
  assert.match(gaveUp.stderr.trim(), /^fetcher: the archiver at http:\/\/127\.0\.0\.1:1 did not answer \/health within 1s; start it first/);
});

test('a 256 MiB document flows through fetcher and archiver with bounded memory', async (t) => {
  const dir = tempDir(t);
  const site = await startSite(t);
  const archiver = await startArchiver(t, { db: join(dir, 'a.db'), args: ['--max-body', '300MiB'] });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port}`, args: ['--max-body', '300MiB', '--deadline', '120s'] });
  const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const pids = { fetcher: fetcher.child.pid!, archiver: archiver.child.pid! };
  const base = { fetcher: rss(pids.fetcher), archiver: rss(pids.archiver) };
  const peak = { ...base };
  const sampler = setInterval(() => {
    peak.fetcher = Math.max(peak.fetcher, rss(pids.fetcher));
    peak.archiver = Math.max(peak.archiver, rss(pids.archiver));
  }, 50);
  const started = performance.now();
  const r = await fetchJson(`${fetcher.url}/fetch/${site.url}/big?mib=256`);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.size, 256 * 1024 * 1024);
  const media = (await fetchJson(r.json.archive_url)).json;
  assert.equal(media.sha256, createHash('sha256').update(Buffer.alloc(256 * 1024 * 1024, 7)).digest('hex'));
  const growth = { fetcher: (peak.fetcher - base.fetcher) / 2 ** 20, archiver: (peak.archiver - base.archiver) / 2 ** 20 };
  t.diagnostic(`256 MiB through both: ${(256 / seconds).toFixed(0)} MB/s; RSS growth fetcher ${growth.fetcher.toFixed(1)} MiB, archiver ${growth.archiver.toFixed(1)} MiB`);
  assert.ok(growth.fetcher < 96 && growth.archiver < 96, JSON.stringify(growth));
});
