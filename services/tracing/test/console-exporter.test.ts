/**
 * OTEL_TRACES_EXPORTER=console: a real archiver logs each span as the X-Ray document the
 * xray exporter would send, one JSON line each, stdout staying parseable line by line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startArchiver } from '@tfa/test-helpers/process';
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
