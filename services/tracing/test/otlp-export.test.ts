/**
 * OTEL_TRACES_EXPORTER=otlp: a real archiver process sends its spans over OTLP/HTTP to a
 * receiver in this test, which decodes them with the console's OTLP decoder.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { decodeOtlpTraces, inflateOtlpBody, MAX_BODY_BYTES } from '@tfa/trace-console/otlp/decode';
import { spanToDocument, type TranslatorSpan } from '@tfa/otel-xray/wire/translate';
import { startArchiver } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';

interface Receiver {
  endpoint: string;
  spans: TranslatorSpan[];
  requests: { headers: IncomingHttpHeaders; error?: string }[];
  /** Resolves once `done(spans)` holds, or rejects after `timeoutMs`. */
  waitFor(done: (spans: TranslatorSpan[]) => boolean, timeoutMs?: number): Promise<TranslatorSpan[]>;
}

/** An OTLP/HTTP trace receiver on loopback: POST /v1/traces, protobuf or JSON, gzip or not. */
async function startReceiver(t: TestContext): Promise<Receiver> {
  const spans: TranslatorSpan[] = [];
  const requests: Receiver['requests'] = [];
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return void req.destroy();
      parts.push(chunk);
    });
    req.on('end', () => {
      const entry: Receiver['requests'][number] = { headers: req.headers };
      requests.push(entry);
      try {
        const body = inflateOtlpBody(Buffer.concat(parts), req.headers['content-encoding']);
        const json = (req.headers['content-type'] ?? '').startsWith('application/json');
        spans.push(...decodeOtlpTraces(body, json ? 'json' : 'protobuf'));
        // An empty ExportTraceServiceResponse is full success, in either encoding.
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
      } catch (err) {
        entry.error = (err as Error).message;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    requests,
    async waitFor(done, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (!done(spans)) {
        if (Date.now() > until) throw new Error(`no matching spans within ${timeoutMs} ms; got ${JSON.stringify(spans.map((s) => s.name))}, requests ${JSON.stringify(requests)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return spans;
    },
  };
}

test('the archiver exports its server and database spans over OTLP/HTTP', async (t) => {
  const receiver = await startReceiver(t);
  const archiver = await startArchiver(t, {
    db: join(tempDir(t), 'archive.db'),
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-test=1',
      OTEL_SERVICE_NAME: 'archiver-otlp-test',
      // The 3.x BatchSpanProcessor ignores OTEL_BSP_SCHEDULE_DELAY (5 s fixed), so the
      // test relies on the flush at shutdown instead (SIGTERM below).
    },
  });
  const res = await fetch(`${archiver.url}/archive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 200, body: 'hello over otlp', url: 'https://example.com/otlp' }),
  });
  assert.equal(res.status, 201);
  await res.arrayBuffer();
  assert.equal(await archiver.stop('SIGTERM'), 0);

  const spans = await receiver.waitFor((s) => s.some((x) => x.name === 'POST /archive') && s.some((x) => x.attributes['db.system.name'] === 'sqlite'));
  assert.ok(receiver.requests.length > 0);
  for (const r of receiver.requests) {
    assert.equal(r.error, undefined);
    assert.equal(r.headers['x-test'], '1', 'OTEL_EXPORTER_OTLP_HEADERS arrives as a header');
    assert.equal(r.headers['content-type'], 'application/x-protobuf');
  }

  const server = spans.find((s) => s.name === 'POST /archive')!;
  assert.equal(server.kind, 1, 'SERVER');
  assert.equal(server.attributes['http.request.method'], 'POST');
  assert.equal(server.attributes['http.response.status_code'], 201);
  assert.equal(server.resource['service.name'], 'archiver-otlp-test');
  assert.match(server.traceId, /^[0-9a-f]{32}$/);
  assert.ok(server.endTime! >= server.startTime);

  const db = spans.find((s) => s.attributes['db.system.name'] === 'sqlite' && s.traceId === server.traceId);
  assert.ok(db, 'a sqlite span in the same trace');
  assert.equal(db.kind, 2, 'CLIENT');
  assert.ok(db.parentSpanId, 'the db span has a parent in the request');
  assert.ok(spans.some((s) => s.spanId === db.parentSpanId && s.traceId === server.traceId), 'its parent was exported too');

  // The console shows them as the X-Ray daemon path would: a segment and an sql subsegment.
  const segment = spanToDocument(server);
  assert.equal(segment.name, 'archiver-otlp-test');
  assert.equal(segment.type, undefined);
  assert.deepEqual(segment.http?.response, { status: 201 });
  const sub = spanToDocument(db);
  assert.equal(sub.type, 'subsegment');
  assert.equal((sub as { sql?: { database_type?: string } }).sql?.database_type, 'sqlite');
});
