/** trace-console's configuration and protected mode, as a user meets them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { run } from '@tfa/test-helpers/process';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';

test('bad configuration exits 2 with one line naming the setting', async () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--listen', 'nope'], {}, /--listen/],
    [['--max-traces', '0'], {}, /--max-traces/],
    [['--retention', 'forever'], {}, /--retention/],
    [['--forward', 'daemon'], {}, /--forward/],
    [['--token', 'short'], {}, /--token \*\*\*: use at least 16/],
    [['--bogus'], {}, /bogus/],
    [[], { TRACE_CONSOLE_LISTEN: 'x:99999' }, /TRACE_CONSOLE_LISTEN/],
    [['--listen', '0.0.0.0:0'], {}, /refusing to listen on 0\.0\.0\.0 without a token/],
    [['--listen', '127.0.0.1:0', '--sampling-rules', '/nonexistent/rules.json'], {}, /--sampling-rules/],
  ];
  for (const [args, env, pattern] of cases) {
    const r = await run('trace-console', args, { env });
    assert.equal(r.code, 2, args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, pattern);
  }
});

test('--help lists every setting', async () => {
  const r = await run('trace-console', ['--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--listen', '--db', '--forward', '--max-traces', '--retention', '--sampling-rules', '--token', 'import FILE']) assert.ok(r.stdout.includes(flag), flag);
});

test('with --token every TCP route but /health needs the bearer token', async (t) => {
  const token = 'a-token-of-sixteen-chars';
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), token });
  assert.equal((await fetch(`${tc.url}/health`)).status, 200);
  assert.equal(await (await fetch(`${tc.url}/health`)).text(), 'OK');
  for (const [method, path] of [['GET', '/api/traces'], ['GET', '/api/diagnostics'], ['POST', '/TraceSummaries'], ['POST', '/v1/traces']]) {
    const res = await fetch(`${tc.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    assert.equal(res.status, 401, path);
  }
  // X-Ray API clients get AWS's error shape; a SigV4 signature is no substitute for the token.
  const signed = await fetch(`${tc.url}/TraceSummaries`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'AWS4-HMAC-SHA256 Credential=x/20261127/us-east-1/xray/aws4_request, SignedHeaders=host, Signature=00' }, body: '{}' });
  assert.equal(signed.status, 401);
  assert.equal(signed.headers.get('x-amzn-errortype'), 'AccessDeniedException');
  assert.equal((await signed.json()).__type, 'AccessDeniedException');
  const wrong = await fetch(`${tc.url}/api/traces`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).code, 'unauthorized');
  assert.equal((await tc.get('/api/traces')).status, 200);
});

test('with --token a browser logs in once through the printed link and keeps a cookie session', async (t) => {
  const token = 'a-token-of-sixteen-chars';
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), token });
  // the link goes to stderr, the "listening" line to stdout: either may be read first
  let line: string | undefined;
  for (let i = 0; i < 100 && !(line = tc.lines.find((l) => l.includes('/login?key='))); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(line, 'the one-time link is printed');
  assert.doesNotMatch(tc.lines.join('\n'), new RegExp(token), 'the token itself is never printed');
  const link = /(http:\/\/\S+\/login\?key=[0-9a-f]+)/.exec(line!)![1]!;
  assert.equal((await fetch(`${tc.url}/`)).status, 401, 'a browser without the cookie is refused');
  const bad = await fetch(`${tc.url}/login?key=0000`, { redirect: 'manual' });
  assert.equal(bad.status, 401);
  const first = await fetch(link, { redirect: 'manual' });
  assert.equal(first.status, 303);
  assert.equal(first.headers.get('location'), '/');
  const cookie = first.headers.get('set-cookie')!;
  assert.match(cookie, /HttpOnly; SameSite=Strict; Path=\//);
  const session = cookie.split(';')[0]!;
  const page = await fetch(`${tc.url}/api/traces`, { headers: { cookie: session } });
  assert.equal(page.status, 200);
  await page.arrayBuffer();
  assert.equal((await fetch(link, { redirect: 'manual' })).status, 401, 'the link works once');
  assert.equal((await fetch(`${tc.url}/api/traces`, { headers: { cookie: 'trace_console_session=forged' } })).status, 401);
});

test('the web console is served at /; SIGTERM stops the console cleanly', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db') });
  const page = await fetch(`${tc.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  await page.arrayBuffer();
  assert.equal(await tc.stop('SIGTERM'), 0);
  await tc.waitFor('stopped');
});

test('a port taken on UDP or on TCP exits 1 with one line saying which', async (t) => {
  const udp = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  t.after(() => new Promise<void>((resolve) => udp.close(() => resolve())));
  const tcp = createServer();
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((resolve) => tcp.close(() => resolve())));
  const db = join(tempDir(t), 'traces.db');
  for (const [port, proto] of [[udp.address().port, 'UDP'], [(tcp.address() as AddressInfo).port, 'TCP']] as const) {
    const r = await run('trace-console', ['--listen', `127.0.0.1:${port}`, '--db', db]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `trace-console: ${proto} 127.0.0.1:${port} is already in use (another X-Ray daemon or trace-console?); stop it or move trace-console with --listen`);
  }
});
