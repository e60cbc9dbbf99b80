import assert from 'node:assert/strict';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { connect, createServer, type LookupFunction } from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { AppError } from '@tfa/service-kit/errors';
import { parseAllowList } from '../../src/guard/allowlist.ts';
import { createGuardedLookup, createSystemResolver, type ResolvedAddress, type Resolver } from '../../src/guard/resolve.ts';

/** A resolver that gives the next scripted answer on each call and never touches DNS. */
function scripted(...answers: (ResolvedAddress[] | Error)[]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return Object.assign(resolve, { calls });
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

/** Calls a lookup the way net.connect does and returns what it called back with. */
function look(lookup: LookupFunction, hostname: string, options: LookupOptions): Promise<{ err: Error | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => lookup(hostname, options, (err, address, family) => resolve({ err, address, family })));
}

const blocked = (detail: string) => (err: unknown) => err instanceof AppError && err.code === 'blocked_destination' && err.detail === detail;

test('a public answer is handed back exactly as checked', async () => {
  const resolve = scripted([v4('93.184.216.34'), v6('2606:2800:220:1:248:1893:25c8:1946')]);
  const lookup = createGuardedLookup({ allow: parseAllowList(''), port: 80, resolve });
  assert.deepEqual(await look(lookup, 'example.com', { all: true }), {
    err: null, address: [v4('93.184.216.34'), v6('2606:2800:220:1:248:1893:25c8:1946')], family: undefined,
  });
  assert.deepEqual(await look(lookup, 'example.com', { family: 6 }), { err: null, address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
});

test('one private address among public ones blocks the name', async () => {
  const lookup = createGuardedLookup({ allow: parseAllowList(''), port: 80, resolve: scripted([v4('93.184.216.34'), v4('10.0.0.7')]) });
  const { err } = await look(lookup, 'mixed.example', { all: true });
  assert.ok(blocked('mixed.example: 10.0.0.7 is a private address')(err), String(err));
});

test('rebinding: each lookup checks the answer it returns, and the socket gets no second resolution', async () => {
  const resolve = scripted([v4('93.184.216.34')], [v4('169.254.169.254')]);
  const lookup = createGuardedLookup({ allow: parseAllowList(''), port: 80, resolve });
  const first = await look(lookup, 'rebind.example', { all: true });
  assert.deepEqual(first, { err: null, address: [v4('93.184.216.34')], family: undefined });
  assert.equal(resolve.calls.length, 1, 'the checked answer is the one used: no re-resolution');
  const second = await look(lookup, 'rebind.example', { all: true });
  assert.ok(blocked('rebind.example: 169.254.169.254 is a link-local address (cloud metadata)')(second.err));
});

test('rebinding through net.connect: the socket connects to the checked loopback address, the next answer is refused', async (t) => {
  const server = createServer((socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  // The allow list exempts this loopback port only; the second DNS answer points at a private address.
  const resolve = scripted([v4('127.0.0.1')], [v4('10.0.0.1')]);
  const lookup = createGuardedLookup({ allow: parseAllowList(`127.0.0.1:${port}`), port, resolve });

  const ok = connect({ host: 'rebind.test', port, lookup });
  await once(ok, 'connect');
  assert.equal(ok.remoteAddress, '127.0.0.1');
  ok.destroy();
  assert.deepEqual(resolve.calls, ['rebind.test']);

  const refused = connect({ host: 'rebind.test', port, lookup });
  const [err] = await once(refused, 'error');
  assert.ok(blocked('rebind.test: 10.0.0.1 is a private address')(err), String(err));
  assert.equal(refused.remoteAddress, undefined, 'no connection was attempted');
});

test('allow entries: a name exempts whatever it resolves to, a port restricts the exemption', async () => {
  const resolve = scripted([v4('10.1.2.3')]);
  const byName = createGuardedLookup({ allow: parseAllowList('intranet.example:8443'), port: 8443, resolve });
  assert.deepEqual(await look(byName, 'INTRANET.example.', {}), { err: null, address: '10.1.2.3', family: 4 });
  const otherPort = createGuardedLookup({ allow: parseAllowList('intranet.example:8443'), port: 443, resolve });
  assert.ok(blocked('intranet.example: 10.1.2.3 is a private address')((await look(otherPort, 'intranet.example', {})).err));
  const byCidr = createGuardedLookup({ allow: parseAllowList('10.0.0.0/8'), port: 1, resolve });
  assert.equal((await look(byCidr, 'anything.example', {})).address, '10.1.2.3');
});

test('literal IPs given to the lookup are checked without resolving', async () => {
  const resolve = scripted([v4('8.8.8.8')]);
  const lookup = createGuardedLookup({ allow: parseAllowList(''), port: 80, resolve });
  assert.ok(blocked('::1 is a loopback address')((await look(lookup, '::1', { all: true })).err));
  assert.deepEqual(resolve.calls, []);
});

test('resolver failures and empty answers pass through as lookup errors', async () => {
  const dnsError = Object.assign(new Error('getaddrinfo ENOTFOUND nx.example'), { code: 'ENOTFOUND' });
  const failing = createGuardedLookup({ allow: parseAllowList(''), port: 80, resolve: scripted(dnsError) });
  assert.equal((await look(failing, 'nx.example', {})).err, dnsError);
  const empty = createGuardedLookup({ allow: parseAllowList(''), port: 80, resolve: scripted([]) });
  assert.equal(((await look(empty, 'empty.example', {})).err as NodeJS.ErrnoException).code, 'ENOTFOUND');
  const noV6 = createGuardedLookup({ allow: parseAllowList(''), port: 80, resolve: scripted([v4('8.8.8.8')]) });
  assert.equal(((await look(noV6, 'v4only.example', { family: 6 })).err as NodeJS.ErrnoException).code, 'ENOTFOUND');
});

test('the system resolver asks for every address, and answers localhost names from the hosts file, never DNS', async () => {
  const asked: [string, unknown][] = [];
  const resolve = createSystemResolver(async (hostname, options) => {
    asked.push([hostname, options]);
    return [v4('127.0.0.1')];
  });
  for (const name of ['localhost', 'LOCALHOST.', 'app.localhost', 'a.b.localhost.', 'example.com', 'example.com.', 'notlocalhost', 'localhost.example']) await resolve(name);
  assert.deepEqual(asked.map(([name]) => name), ['localhost', 'localhost', 'localhost', 'localhost', 'example.com', 'example.com.', 'notlocalhost', 'localhost.example']);
  assert.ok(asked.every(([, options]) => (options as { all: boolean }).all === true));
});
