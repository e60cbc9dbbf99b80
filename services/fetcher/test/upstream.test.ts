import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { type Socket, createServer as createTcpServer } from 'node:net';
import { type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AppError } from '@tfa/service-kit/errors';
import { parseAllowList } from '../src/guard/allowlist.ts';
import type { Resolver } from '../src/guard/resolve.ts';
import { type UpstreamOptions, type UpstreamResponse, createUpstream } from '../src/upstream.ts';

// Tests never ask real DNS: "localhost" is answered as /etc/hosts would, anything else does not exist.
const resolve: Resolver = async (hostname) => {
  if (hostname.replace(/\.$/, '') === 'localhost') return [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

interface Served { port: number; origin: string; requests: () => number }

/** A loopback HTTP server closed (connections included) when the test ends. */
async function serve(t: TestContext, handler: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1'): Promise<Served> {
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    handler(req, res);
  });
  server.listen(0, host);
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as { port: number };
  return { port, origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, requests: () => count };
}

/** An upstream allowing the given spec, closed when the test ends. */
function upstream(t: TestContext, allow: string, options: Partial<UpstreamOptions> = {}) {
  const up = createUpstream({ allow: parseAllowList(allow), resolve, ...options });
  t.after(() => up.close());
  return up;
}

async function readAll(res: UpstreamResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const isCode = (code: string, detail?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AppError, `expected AppError ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.detail);
  if (detail !== undefined) assert.match(err.detail, detail);
  return true;
};

test('200 text: status, archived headers, body, and the user agent and identity encoding sent', async (t) => {
  const seen: IncomingMessage['headers'][] = [];
  const s = await serve(t, (req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '11', etag: '"v1"', 'set-cookie': 'sid=secret', 'x-internal': '1' });
    res.end('hello world');
  });
  const up = upstream(t, `127.0.0.1:${s.port}`);
  const res = await up.get(`${s.origin}/page?q=1#fragment`);
  assert.equal(res.status, 200);
  assert.equal(res.url, `${s.origin}/page?q=1`);
  assert.equal(res.contentType, 'text/plain; charset=utf-8');
  assert.equal(res.contentLength, 11);
  assert.deepEqual(Object.keys(res.headers).sort(), ['content-length', 'content-type', 'date', 'etag']);
  assert.deepEqual(res.redirects, []);
  assert.equal(up.inFlight(), 1, 'the fetch counts until its body ends');
  assert.equal((await readAll(res)).toString(), 'hello world');
  await sleep(0);
  assert.equal(up.inFlight(), 0);
  assert.match(seen[0]['user-agent'] ?? '', /^traced-fetcher-archiver\//);
  assert.equal(seen[0]['accept-encoding'], 'identity');
});

test('binary bytes and content-encoding are kept exactly as sent', async (t) => {
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
  const s = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' });
    res.end(bytes);
  });
  const res = await upstream(t, `127.0.0.1:${s.port}`).get(`${s.origin}/bin`);
  assert.equal(res.headers['content-encoding'], 'gzip');
  assert.deepEqual(await readAll(res), bytes);
});

test('404 and 500 come back as responses, not errors', async (t) => {
  const s = await serve(t, (req, res) => {
    res.statusCode = req.url === '/missing' ? 404 : 500;
    res.end('nope');
  });
  const up = upstream(t, `127.0.0.1:${s.port}`);
  for (const [path, status] of [['/missing', 404], ['/broken', 500]] as const) {
    const res = await up.get(`${s.origin}${path}`);
    assert.equal(res.status, status);
    assert.equal((await readAll(res)).toString(), 'nope');
  }
});

test('a chain of 3 redirects is followed (absolute, relative, 301/307/303)', async (t) => {
  const s = await serve(t, (req, res) => {
    const to: Record<string, [number, string]> = { '/a': [301, '/b'], '/b': [307, 'c?x=1'], '/c?x=1': [303, `http://localhost:${(req.socket.localPort)}/final`] };
    const hop = to[req.url ?? ''];
    if (hop) res.writeHead(hop[0], { location: hop[1] }).end('moved');
    else res.end(`final ${req.url}`);
  });
  const res = await upstream(t, `127.0.0.1:${s.port}, localhost:${s.port}`).get(`${s.origin}/a`);
  assert.equal((await readAll(res)).toString(), 'final /final');
  assert.equal(res.url, `http://localhost:${s.port}/final`);
  assert.deepEqual(res.redirects, [`${s.origin}/a`, `${s.origin}/b`, `${s.origin}/c?x=1`]);
  assert.equal(s.requests(), 4);
});

test('a sixth redirect is too_many_redirects', async (t) => {
  const s = await serve(t, (req, res) => res.writeHead(302, { location: `/hop${Number(req.url?.slice(4) || 0) + 1}` }).end());
  const up = upstream(t, `127.0.0.1:${s.port}`);
  await assert.rejects(up.get(`${s.origin}/hop0`), isCode('too_many_redirects', /more than 5 redirects, the last to \/hop6/));
  assert.equal(s.requests(), 6);
  assert.equal(up.inFlight(), 0);
});

test('a redirect to a loopback address outside the allow list is blocked before connecting', async (t) => {
  const other = await serve(t, (_req, res) => res.end('secret'));
  const s = await serve(t, (req, res) => res.writeHead(302, { location: req.url === '/name' ? `http://localhost:${other.port}/` : `http://127.0.0.1:${other.port}/admin` }).end());
  const up = upstream(t, `127.0.0.1:${s.port}`);
  await assert.rejects(up.get(`${s.origin}/ip`), isCode('blocked_destination', /^127\.0\.0\.1 is a loopback address$/));
  await assert.rejects(up.get(`${s.origin}/name`), isCode('blocked_destination', /^localhost: (127\.0\.0\.1|::1) is a loopback address$/));
  assert.equal(other.requests(), 0);
});

test('a redirect to another scheme is a bad gateway, not followed', async (t) => {
  const s = await serve(t, (_req, res) => res.writeHead(301, { location: 'file:///etc/passwd' }).end());
  await assert.rejects(upstream(t, `127.0.0.1:${s.port}`).get(`${s.origin}/`), isCode('upstream_unreachable', /redirected to file:\/\/\/etc\/passwd: file URLs are not fetched/));
});

test('a server that never answers is upstream_timeout at the deadline', async (t) => {
  const s = await serve(t, () => {});
  const up = upstream(t, `127.0.0.1:${s.port}`, { deadlineMs: 300 });
  const started = performance.now();
  await assert.rejects(up.get(`${s.origin}/`), isCode('upstream_timeout', /within 300 ms/));
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 290 && elapsed < 2000, `took ${elapsed} ms`);
  assert.equal(up.inFlight(), 0);
});

test('the deadline covers the body: a stalled body errors with upstream_timeout', async (t) => {
  const s = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('only the start');
  });
  const up = upstream(t, `127.0.0.1:${s.port}`, { deadlineMs: 300 });
  const res = await up.get(`${s.origin}/`);
  await assert.rejects(readAll(res), isCode('upstream_timeout'));
  assert.equal(up.inFlight(), 0);
});

test('a body over the limit is body_too_large: declared up front, or counted while streaming', async (t) => {
  const s = await serve(t, (req, res) => {
    if (req.url === '/declared') res.writeHead(200, { 'content-length': '1001' }).end(Buffer.alloc(1001));
    else {
      for (let i = 0; i < 11; i += 1) res.write(Buffer.alloc(100));
      res.end();
    }
  });
  const up = upstream(t, `127.0.0.1:${s.port}`, { maxBodyBytes: 1000 });
  await assert.rejects(up.get(`${s.origin}/declared`), isCode('body_too_large', /declares 1001 bytes, over the limit of 1000/));
  const res = await up.get(`${s.origin}/chunked`);
  assert.equal(res.contentLength, undefined);
  await assert.rejects(readAll(res), isCode('body_too_large', /exceeds the limit of 1000 bytes/));
  await sleep(0);
  assert.equal(up.inFlight(), 0);
});

test('network failures are upstream_unreachable with a short detail', async (t) => {
  // A port that was just free: nothing listens there now.
  const probe = createTcpServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const closedPort = (probe.address() as { port: number }).port;
  await new Promise((done) => probe.close(done));
  const garbage = createTcpServer((socket: Socket) => socket.end('HTTP/1.1 ??? nonsense\r\n\r\n')).listen(0, '127.0.0.1');
  await once(garbage, 'listening');
  t.after(() => garbage.close());
  const garbagePort = (garbage.address() as { port: number }).port;
  const cut = await serve(t, (_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('ten bytes!', () => res.socket?.destroy());
  });
  const up = upstream(t, `127.0.0.1:${closedPort}, 127.0.0.1:${garbagePort}, 127.0.0.1:${cut.port}`);
  await assert.rejects(up.get(`http://127.0.0.1:${closedPort}/`), isCode('upstream_unreachable', /^127\.0\.0\.1 refused the connection$/));
  await assert.rejects(up.get('http://nx.test/'), isCode('upstream_unreachable', /^could not resolve nx\.test$/));
  await assert.rejects(up.get(`http://127.0.0.1:${garbagePort}/`), isCode('upstream_unreachable', /sent a malformed HTTP response$/));
  const res = await up.get(`${cut.origin}/`);
  await assert.rejects(readAll(res), isCode('upstream_unreachable', /closed the connection before the response was complete/));
  assert.equal(up.inFlight(), 0);
});

test('over maxConcurrent is busy with Retry-After, until the held body ends', async (t) => {
  const s = await serve(t, (req, res) => {
    res.writeHead(200);
    if (req.url === '/hold') res.write('partial');
    else res.end('done');
  });
  const up = upstream(t, `127.0.0.1:${s.port}`, { maxConcurrent: 1 });
  const held = await up.get(`${s.origin}/hold`);
  await assert.rejects(up.get(`${s.origin}/next`), (err) => {
    isCode('busy')(err);
    assert.equal((err as AppError).status, 503);
    assert.deepEqual((err as AppError).headers, { 'Retry-After': '1' });
    return true;
  });
  held.body.destroy();
  await once(held.body, 'close');
  assert.equal(up.inFlight(), 0);
  assert.equal((await readAll(await up.get(`${s.origin}/next`))).toString(), 'done');
});

test('the caller can abort a fetch, and a closed upstream takes no more', async (t) => {
  const s = await serve(t, () => {});
  const up = createUpstream({ allow: parseAllowList(`127.0.0.1:${s.port}`), resolve });
  const reason = new Error('client went away');
  const controller = new AbortController();
  const pending = up.get(`${s.origin}/`, { signal: controller.signal });
  setTimeout(() => controller.abort(reason), 20);
  await assert.rejects(pending, (err) => err === reason);
  assert.equal(up.inFlight(), 0);
  await up.close();
  await assert.rejects(up.get(`${s.origin}/`), isCode('unavailable'));
});

test('every loopback spelling is blocked with an empty allow list, and the server sees nothing', async (t) => {
  const v4 = await serve(t, (_req, res) => res.end('secret'));
  const forms = ['127.0.0.1', 'localhost', 'LOCALHOST.', '2130706433', '0x7f.1', '127.1', '0177.0.0.1', '127.0.0.2', '[::ffff:127.0.0.1]']
    .map((host) => `http://${host}:${v4.port}/`);
  let v6: Served | undefined;
  try {
    v6 = await serve(t, (_req, res) => res.end('secret'), '::1');
    forms.push(`http://[::1]:${v6.port}/`);
  } catch {
    t.diagnostic('skipping [::1]: this machine has no IPv6 loopback');
  }
  const up = upstream(t, '');
  for (const url of forms) await assert.rejects(up.get(url), isCode('blocked_destination', /loopback address$/), url);
  assert.equal(v4.requests(), 0);
  assert.equal(v6?.requests() ?? 0, 0);
});

test('256 MiB streams through in constant memory', async (t) => {
  const total = 256 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const s = await serve(t, async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let sent = 0; sent < total && !res.destroyed; sent += chunk.length) {
      if (!res.write(chunk)) await once(res, 'drain');
    }
    res.end();
  });
  const up = upstream(t, `127.0.0.1:${s.port}`, { maxBodyBytes: total, deadlineMs: 15_000 });
  // Socket reads allocate 64 KiB buffers that V8 frees lazily (it collects after ~64 MiB of external
  // memory), and freed pages stay in rss; plain node:http shows the same plateau. Collecting every
  // 4 MiB removes that lag, so rss then shows what the stream itself keeps: it must not grow with size.
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const stream = async (collect: boolean) => {
    if (collect) gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    let at16MiB = Infinity;
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
    const sampler = setInterval(sample, 5);
    t.after(() => clearInterval(sampler));
    const started = performance.now();
    const res = await up.get(`${s.origin}/big`);
    let received = 0;
    let nextCollection = 0;
    for await (const part of res.body) {
      received += (part as Buffer).length;
      if (collect && received >= nextCollection) {
        gc();
        sample();
        if (at16MiB === Infinity && received >= 16 * 1024 * 1024) at16MiB = process.memoryUsage().rss;
        nextCollection += 4 * 1024 * 1024;
      }
    }
    clearInterval(sampler);
    assert.equal(received, total);
    const mib = (bytes: number) => bytes / 1024 / 1024;
    return { growth: mib(peak - before), after16: mib(peak - at16MiB), rate: 256 / ((performance.now() - started) / 1000) };
  };
  const collected = await stream(true);
  const lazy = await stream(false);
  t.diagnostic(`collecting every 4 MiB: rss growth ${collected.growth.toFixed(1)} MiB (${collected.after16.toFixed(1)} MiB after the first 16 MiB), ${collected.rate.toFixed(0)} MiB/s`);
  t.diagnostic(`lazy GC: rss growth ${lazy.growth.toFixed(1)} MiB, ${lazy.rate.toFixed(0)} MiB/s`);
  // Start-up costs (JIT, socket buffers, heap sizing) land in the first MiBs; a held body would show as 100s of MiB.
  assert.ok(collected.growth < 48, `rss grew ${collected.growth.toFixed(1)} MiB while streaming 256 MiB`);
  assert.ok(lazy.growth < 128, `rss grew ${lazy.growth.toFixed(1)} MiB: the body is being held`);
});

test('TLS failures are upstream_unreachable naming the cause; a silent handshake is a connect timeout', async (t) => {
  const fixtures = new URL('./fixtures/tls/', import.meta.url);
  const tls = createHttpsServer({ key: readFileSync(new URL('self-signed.key', fixtures)), cert: readFileSync(new URL('self-signed.crt', fixtures)) }, (_req, res) => res.end('secret'));
  tls.listen(0, '127.0.0.1');
  await once(tls, 'listening');
  t.after(() => (tls.closeAllConnections(), tls.close()));
  const tlsPort = (tls.address() as { port: number }).port;
  const plain = await serve(t, (_req, res) => res.end('plain http'));
  // Accepts TCP, then never answers the ClientHello.
  const silent = createTcpServer(() => {}).listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.after(() => silent.close());
  const silentPort = (silent.address() as { port: number }).port;

  const up = upstream(t, `127.0.0.1:${tlsPort}, 127.0.0.1:${plain.port}, 127.0.0.1:${silentPort}`, { connectTimeoutMs: 300 });
  await assert.rejects(up.get(`https://127.0.0.1:${tlsPort}/`), isCode('upstream_unreachable', /^TLS with 127\.0\.0\.1 failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)$/));
  await assert.rejects(up.get(`https://127.0.0.1:${plain.port}/`), isCode('upstream_unreachable', /^TLS with 127\.0\.0\.1 failed \(ERR_SSL_/));
  const started = performance.now();
  await assert.rejects(up.get(`https://127.0.0.1:${silentPort}/`), isCode('upstream_timeout', /^connecting to 127\.0\.0\.1 timed out$/));
  assert.ok(performance.now() - started < 10_000, 'the connect timeout, not the 30 s deadline');
  assert.equal(plain.requests(), 0);
  assert.equal(up.inFlight(), 0);
});
