/** `GET /api/events`: a server-sent `trace` event per new or updated trace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { datagram, fetchTrace } from '../fixtures.ts';

test('the event stream announces new and updated traces; a client leaving is cleaned up', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db') });
  const events: { event: string; data: any }[] = [];
  let buffer = '';
  const req = request(`${tc.url}/api/events`);
  t.after(() => req.destroy());
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/event-stream/);
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let i: number;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
      if (fields.event) events.push({ event: fields.event, data: JSON.parse(fields.data) });
    }
  });
  response.on('error', () => {}); // destroyed at the end on purpose

  const { trace, fetcher, archiver } = fetchTrace();
  await tc.send(datagram(fetcher));
  const until = async (n: number) => {
    const deadline = Date.now() + 5_000;
    while (events.filter((e) => e.data.id === trace).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  await until(1);
  await tc.send(datagram(archiver));
  await until(2);
  const mine = events.filter((e) => e.data.id === trace);
  assert.equal(mine.length, 2);
  assert.ok(mine.every((e) => e.event === 'trace'));
  assert.deepEqual(mine[0]!.data.services, ['fetcher']);
  assert.deepEqual([...mine[1]!.data.services].sort(), ['archiver', 'fetcher']);
  assert.equal(mine[1]!.data.url, fetcher.http.request.url);

  // The client leaves; the console keeps serving and ingesting.
  req.destroy();
  const next = fetchTrace();
  await tc.send(datagram(next.fetcher));
  await tc.waitForTrace(next.trace);
  assert.equal((await tc.get('/health')).status, 200);
  // A clean stop with no stream left open.
  assert.equal(await tc.stop(), 0);
});
