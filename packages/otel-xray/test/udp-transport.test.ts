/** Daemon address parsing (XRAY-REFERENCE §2.2) and the UDP transport, on loopback only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { parseDaemonAddress, UdpTransport } from '../src/udp-transport.ts';
import type { DaemonAddress } from '../src/udp-transport.ts';
import { freeUdpPort } from '@tfa/test-helpers/ports';

const both = (host: string, port: number): DaemonAddress => ({ udp: { host, port }, tcp: { host, port } });

const good: Array<[string, DaemonAddress]> = [
  ['127.0.0.1:2000', both('127.0.0.1', 2000)],
  ['  localhost:2000 ', both('localhost', 2000)],
  ['[::1]:2000', both('::1', 2000)],
  ['tcp:127.0.0.1:2000 udp:127.0.0.2:3000', { tcp: { host: '127.0.0.1', port: 2000 }, udp: { host: '127.0.0.2', port: 3000 } }],
  ['udp:daemon:3000   tcp:daemon:2000', { tcp: { host: 'daemon', port: 2000 }, udp: { host: 'daemon', port: 3000 } }],
  ['UDP:[::1]:3000 TCP:[::1]:2000', { tcp: { host: '::1', port: 2000 }, udp: { host: '::1', port: 3000 } }],
];

for (const [input, expected] of good) {
  test(`parseDaemonAddress(${JSON.stringify(input)})`, () => assert.deepEqual(parseDaemonAddress(input), expected));
}

const bad: Array<[string, RegExp]> = [
  ['', /empty/],
  ['localhost', /no port/],
  ['localhost:', /port "" is not a number/],
  ['localhost:99999', /port "99999"/],
  ['localhost:0', /port "0"/],
  [':2000', /empty host/],
  ['::1:2000', /must be in brackets/],
  ['[::1:2000', /\[ipv6\]:port/],
  ['udp:127.0.0.1:2000', /only one protocol/],
  ['tcp:a:1 tcp:b:2', /each exactly once/],
  ['tcp:a:1 b:2', /must start with tcp: or udp:/],
  ['tcp:a:1 udp:b:2 udp:c:3', /3 parts/],
  ['tcp:a udp:b:2', /no port/],
];

for (const [input, message] of bad) {
  test(`parseDaemonAddress(${JSON.stringify(input)}) throws ${message}`, () => {
    assert.throws(() => parseDaemonAddress(input), (e: Error) => message.test(e.message) && e.message.includes(JSON.stringify(input.trim()).slice(1, -1) || 'empty'));
  });
}

/** A loopback listener collecting datagrams; closed by the caller's t.after. */
async function listener(): Promise<{ socket: Socket; port: number; received: string[]; next: () => Promise<string> }> {
  const socket = createSocket('udp4');
  const received: string[] = [];
  const waiting: Array<(s: string) => void> = [];
  socket.on('message', (msg) => {
    const text = msg.toString('utf8');
    const w = waiting.shift();
    if (w) w(text);
    else received.push(text);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const next = (): Promise<string> => (received.length > 0 ? Promise.resolve(received.shift()!) : new Promise((r) => waiting.push(r)));
  return { socket, port: socket.address().port, received, next };
}


test('transport: sends datagrams to a loopback listener, byte for byte', async (t) => {
  const l = await listener();
  t.after(() => l.socket.close());
  const transport = new UdpTransport({ host: '127.0.0.1', port: l.port });
  t.after(() => transport.close());
  transport.send('first');
  transport.send(Buffer.from('second ✓'));
  assert.equal(await l.next(), 'first');
  assert.equal(await l.next(), 'second ✓');
  await transport.flush();
  assert.equal(transport.counters.sent, 2);
});

test('transport: a host name is resolved once, through the resolver', async (t) => {
  const l = await listener();
  t.after(() => l.socket.close());
  let lookups = 0;
  const transport = new UdpTransport({ host: 'daemon.test', port: l.port }, {
    resolver: async () => { lookups++; return { address: '127.0.0.1', family: 4 }; },
  });
  t.after(() => transport.close());
  for (let i = 0; i < 5; i++) transport.send(`d${i}`);
  for (let i = 0; i < 5; i++) assert.equal(await l.next(), `d${i}`);
  transport.send('later');
  assert.equal(await l.next(), 'later');
  assert.equal(lookups, 1);
});

test('transport: nothing listening → refusals counted, nothing thrown', async (t) => {
  const errors: string[] = [];
  const transport = new UdpTransport({ host: '127.0.0.1', port: await freeUdpPort() }, { onError: (kind) => errors.push(kind) });
  t.after(() => transport.close());
  for (let i = 0; i < 5; i++) {
    transport.send('lost');
    await new Promise((r) => setTimeout(r, 10));
  }
  await transport.flush();
  assert.ok(transport.counters.refused >= 1, JSON.stringify(transport.counters));
  assert.ok(errors.every((k) => k === 'refused'));
});

test('transport: after a refusal, sends are skipped for the back-off, then a daemon that came up gets datagrams again', async (t) => {
  const port = await freeUdpPort();
  const transport = new UdpTransport({ host: '127.0.0.1', port }, { refusedBackoffMs: 300 });
  t.after(() => transport.close());
  transport.send('probe');
  for (let i = 0; i < 100 && transport.counters.refused === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(transport.counters.refused, 1);
  const sentBefore = transport.counters.sent;
  for (let i = 0; i < 50; i++) transport.send('skipped');
  assert.equal(transport.counters.sent, sentBefore, 'nothing handed to the kernel during the back-off');
  assert.equal(transport.counters.dropped, 50);
  const daemon = createSocket('udp4');
  t.after(() => daemon.close());
  await new Promise<void>((r) => daemon.bind(port, '127.0.0.1', () => r()));
  const got = new Promise<string>((r) => daemon.once('message', (m) => r(m.toString())));
  await new Promise((r) => setTimeout(r, 350));
  transport.send('back');
  assert.equal(await got, 'back');
});

test('transport: unresolvable name → counted, retried at most once per interval', async (t) => {
  let lookups = 0;
  const errors: string[] = [];
  const transport = new UdpTransport({ host: 'nonexistent.invalid', port: 2000 }, {
    resolver: async (host) => { lookups++; throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }); },
    onError: (kind) => errors.push(kind),
    reresolveMs: 60_000,
  });
  t.after(() => transport.close());
  transport.send('a');
  await transport.flush();
  for (let i = 0; i < 100; i++) transport.send('b');
  await transport.flush();
  assert.equal(lookups, 1);
  assert.deepEqual(errors, ['dns']);
  assert.equal(transport.counters.dropped, 101);
  assert.equal(transport.counters.dnsErrors, 1);
});

test('transport: sends while resolving are bounded; close drops the rest', async (t) => {
  let release!: () => void;
  const transport = new UdpTransport({ host: 'slow.test', port: 2000 }, {
    maxPending: 3,
    resolver: () => new Promise((resolve) => { release = () => resolve({ address: '127.0.0.1', family: 4 }); }),
  });
  for (let i = 0; i < 10; i++) transport.send('x');
  assert.equal(transport.counters.dropped, 7);
  await transport.close();
  assert.equal(transport.counters.dropped, 10);
  release();
  transport.send('after close');
  assert.equal(transport.counters.dropped, 11);
  t.after(() => transport.close());
});
