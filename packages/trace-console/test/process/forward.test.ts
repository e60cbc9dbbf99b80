/** `--forward`: every datagram relayed byte-identical to a real daemon, bad ones included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { join } from 'node:path';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { datagram, fetchTrace } from '../fixtures.ts';

test('--forward relays every datagram byte-identical and still ingests it', async (t) => {
  // The "real daemon": a dgram socket of the test.
  const daemon = createSocket('udp4');
  daemon.bind(0, '127.0.0.1');
  await once(daemon, 'listening');
  t.after(() => new Promise<void>((resolve) => daemon.close(() => resolve())));
  const received: Buffer[] = [];
  daemon.on('message', (msg) => received.push(msg));

  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), args: ['--forward', `127.0.0.1:${daemon.address().port}`] });
  const { trace, fetcher, archiver } = fetchTrace();
  const sent = [datagram(fetcher, '{"format": "json", "version": 1}'), datagram(archiver), Buffer.from('not a datagram at all \u00e9\u0000\u00ff'), Buffer.from(new Uint8Array([0xff, 0xfe, 0x0a, 0x00]))];
  await tc.send(...sent);
  const deadline = Date.now() + 5_000;
  while (received.length < sent.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(received.length, sent.length);
  // UDP on loopback keeps order in practice; compare as sets anyway so the test never flakes on it.
  assert.deepEqual(received.map((b) => b.toString('hex')).sort(), sent.map((b) => b.toString('hex')).sort());
  const stored = await tc.waitForTrace(trace, (tr) => tr.segments.length === 2);
  assert.deepEqual(stored.segments.map((s: any) => s.name).sort(), ['archiver', 'fetcher']);
  const { json } = await tc.get('/api/diagnostics');
  assert.equal(json.udp.relay_dropped, 0);
});
