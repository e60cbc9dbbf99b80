/** The event stream's limits: heartbeats, a bounded buffer per slow client, cleanup on disconnect. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { build } from './build.ts';
import { segment, traceId } from '../fixtures.ts';

/** Opens a raw event stream; the socket is paused so the test decides when it reads. */
async function openStream(address: string): Promise<Socket> {
  const url = new URL(address);
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(`GET /api/events HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
  return socket;
}

async function readFor(socket: Socket, ms: number): Promise<string> {
  let text = '';
  const onData = (b: Buffer) => (text += b.toString('latin1'));
  socket.on('data', onData);
  socket.resume();
  await new Promise((r) => setTimeout(r, ms));
  socket.off('data', onData);
  return text;
}

test('heartbeat comments keep an idle stream alive', async (t) => {
  const { app } = await build(t, { events: { heartbeatMs: 30 } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const socket = await openStream(address);
  t.after(() => socket.destroy());
  const text = await readFor(socket, 200);
  assert.match(text, /^HTTP\/1\.1 200/);
  assert.match(text, /content-type: text\/event-stream/i);
  assert.ok((text.match(/: heartbeat\n\n/g) ?? []).length >= 2, text);
});

test('a client that does not read loses events instead of growing the buffer, and is told how many', async (t) => {
  const { app, store, ingest } = await build(t, { events: { maxBufferBytes: 16 * 1024 } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const socket = await openStream(address);
  t.after(() => socket.destroy());
  socket.pause();
  await new Promise((r) => setTimeout(r, 50));
  // Far more than the kernel's socket buffers and our 16 KiB can hold.
  const padding = 'p'.repeat(2000);
  for (let i = 0; i < 4000; i++) ingest.document(JSON.stringify(segment(traceId(), { annotations: { padding } })), 'test');
  store.flush();
  const text = await readFor(socket, 500);
  const delivered = (text.match(/event: trace\n/g) ?? []).length;
  assert.ok(delivered > 0 && delivered < 4000, `delivered ${delivered}`);
  // The next event after the backlog drains says how many were skipped.
  ingest.document(JSON.stringify(segment(traceId())), 'test');
  store.flush();
  const after = await readFor(socket, 200);
  const missed = /: missed (\d+) events\n/.exec(after);
  assert.ok(missed, after.slice(0, 200));
  assert.equal(delivered + Number(missed[1]), 4000);
});

test('a client that leaves is forgotten; closing the app ends open streams', async (t) => {
  const { app, store, ingest } = await build(t);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const gone = await openStream(address);
  await readFor(gone, 50);
  gone.destroy();
  const staying = await openStream(address);
  await readFor(staying, 50);
  await new Promise((r) => setTimeout(r, 50));
  ingest.document(JSON.stringify(segment(traceId())), 'test');
  store.flush();
  assert.match(await readFor(staying, 100), /event: trace/);
  const ended = once(staying, 'end');
  await app.close();
  await ended;
  staying.destroy();
});
