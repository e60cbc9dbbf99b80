/** `trace-console import FILE`: exports (GET /api/traces/{id}) and JSON lines load back unchanged. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '@tfa/test-helpers/process';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { datagram, fetchTrace, jsonRequest, otelTraceId, segment, spanId, traceId, xrayId } from '../fixtures.ts';

test('export then import round-trips a trace into another store', async (t) => {
  const dir = tempDir(t);
  const first = await startConsole(t, { db: join(dir, 'a.db') });
  const { trace, fetcher, archiver } = fetchTrace();
  await first.send(datagram(fetcher), datagram(archiver));
  const exported = await first.waitForTrace(trace, (tr) => tr.segments.length === 2);
  await first.stop();
  const file = join(dir, 'export.json');
  writeFileSync(file, JSON.stringify(exported));

  const r = await run('trace-console', ['import', file, '--db', join(dir, 'b.db')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^imported 2 of 2 documents into /);

  const second = await startConsole(t, { db: join(dir, 'b.db') });
  const imported = await second.waitForTrace(trace);
  assert.deepEqual(imported, exported);
  await second.stop();
});

test('import takes JSON lines, counts what it rejects and says why', async (t) => {
  const dir = tempDir(t);
  const trace = traceId();
  const lines = [JSON.stringify(segment(trace, { name: 'a' })), '', JSON.stringify(segment(trace, { name: 'b' })), '{"name":"broken"', JSON.stringify({ name: 'no-ids' })];
  const file = join(dir, 'segments.jsonl');
  writeFileSync(file, lines.join('\n'));
  const db = join(dir, 'c.db');
  const r = await run('trace-console', ['import', file, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imported 2 of 4 documents .*; rejected 2 \(malformed 1, missing_fields 1\)/);
  assert.match(r.stderr, /fix: /);
  const tc = await startConsole(t, { db });
  const got = await tc.waitForTrace(trace);
  assert.deepEqual(got.segments.map((s: any) => s.name).sort(), ['a', 'b']);
});

test('import takes an OTLP/JSON file through the services\' translator', async (t) => {
  const dir = tempDir(t);
  const otel = otelTraceId();
  const [serverId, clientId] = [spanId(), spanId()];
  const file = join(dir, 'otlp.json');
  writeFileSync(file, JSON.stringify(jsonRequest(otel, serverId, clientId)));
  const db = join(dir, 'd.db');
  const r = await run('trace-console', ['import', file, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^imported 2 of 2 documents/);
  const tc = await startConsole(t, { db });
  const got = await tc.waitForTrace(xrayId(otel));
  assert.deepEqual(got.segments.map((s: any) => s.id).sort(), [serverId, clientId].sort());
});

test('import of a missing file or a bad subcommand exits 2 with one line', async () => {
  const bad = await run('trace-console', ['export', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.trim(), /^trace-console: unexpected arguments "export x"/);
  const missing = await run('trace-console', ['import', '/nonexistent/file.json', '--db', ':memory:']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr.trim(), 'trace-console: import /nonexistent/file.json: no such file');
});
