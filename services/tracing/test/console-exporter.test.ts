/**
 * OTEL_TRACES_EXPORTER=console: a real archiver logs each span as the X-Ray document the
 * xray exporter would send, one JSON line each, stdout staying parseable line by line.
 * And the xray exporter's segment protocol into a real trace-console, subsegments nested.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startArchiver } from '@tfa/test-helpers/process';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';

test('the console exporter logs X-Ray documents as JSON lines', async (t) => {
  const dir = tempDir(t);
  const archiver = await startArchiver(t, { db: join(dir, 'a.db'), env: { OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'always_on' } });
  const res = await fetch(`${archiver.url}/archive`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-archive-status': '200' }, body: 'hello' });
  assert.equal(res.status, 201);
  const traceId = (await res.json()).trace_id as string;
  const server = await archiver.waitFor((l) => l.msg === 'span' && l.segment?.trace_id === traceId && l.segment?.type === undefined, 5_000);
  assert.equal(server.segment.name, 'archiver');
  assert.equal(server.segment.http.request.method, 'POST');
  assert.equal(server.segment.http.response.status, 201);
  const sql = await archiver.waitFor((l) => l.msg === 'span' && l.segment?.trace_id === traceId && l.segment?.sql !== undefined, 5_000);
  assert.equal(sql.segment.parent_id, server.segment.id);
  for (const line of archiver.lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON line: ${line}`);
});

test('segment protocol to the real trace-console: the archiver write arrives as one document, its store subsegment nested, and the console shows both', async (t) => {
  const dir = tempDir(t);
  const tc = await startConsole(t, { db: join(dir, 'traces.db') });
  const archiver = await startArchiver(t, {
    db: join(dir, 'a.db'),
    env: { OTEL_TRACES_EXPORTER: 'xray', OTEL_EXPORTER_XRAY_PROTOCOL: 'segment', OTEL_TRACES_SAMPLER: 'always_on', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${tc.port}` },
  });
  // The store span and the request's span end within a millisecond or two, well inside the
  // exporter's 50 ms linger; three writes so that one stalled machine moment cannot split all.
  const nested: any[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${archiver.url}/archive`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-archive-status': '200' }, body: `hello ${i}` });
    assert.equal(res.status, 201);
    const traceId = (await res.json()).trace_id as string;
    // Both spans arrive either way: nested in one document, or as two.
    const trace = await tc.waitForTrace(traceId, (tr) => tr.segments.some((d: any) => d.sql || d.subsegments?.some((s: any) => s.sql)));
    const segment = trace.segments.find((d: any) => d.type === undefined);
    assert.equal(segment.name, 'archiver');
    if (trace.segments.length === 1) nested.push(segment);
  }
  assert.ok(nested.length > 0, 'at least one write arrived as a single document');
  for (const segment of nested) {
    const sql = segment.subsegments.find((s: { sql?: unknown }) => s.sql !== undefined);
    assert.ok(sql, `the store subsegment is nested: ${JSON.stringify(segment)}`);
    assert.equal(sql.type, undefined);
    assert.equal(sql.trace_id, undefined);
    assert.equal(sql.parent_id, undefined);
  }
});
