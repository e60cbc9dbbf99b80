/**
 * When the trace store's queue is full, every OTLP door answers "retry": UNAVAILABLE on
 * gRPC, 503 with Retry-After on HTTP (OTLP's retryable answers). A real store with a
 * one-document queue that is not flushed during the test.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { buildOtlpHttpApp } from '../../src/app.ts';
import { Diagnostics } from '../../src/ingest/diagnostics.ts';
import { Ingest } from '../../src/ingest/ingest.ts';
import { ExportTraceServiceRequest } from '../../src/otlp/schema.ts';
import { startGrpcDoor } from '../../src/otlp/grpc.ts';
import { openTraceStore } from '../../src/store/store.ts';
import { jsonRequest, otelTraceId } from '../fixtures.ts';

function busyIngest(t: TestContext): Ingest {
  const store = openTraceStore(':memory:', { pruneEveryMs: 0, maxQueue: 1, batchSize: 10, flushDelayMs: 60_000 });
  t.after(() => store.close());
  return new Ingest(store, new Diagnostics());
}

const body = () => jsonRequest(otelTraceId(), randomBytes(8).toString('hex'), randomBytes(8).toString('hex'));

test('gRPC: a full store queue is UNAVAILABLE', async (t) => {
  const door = await startGrpcDoor({ host: '127.0.0.1', port: 0 }, busyIngest(t));
  t.after(() => door.close());
  const json = body();
  for (const span of json.resourceSpans[0]!.scopeSpans[0]!.spans as Record<string, unknown>[]) {
    for (const key of ['traceId', 'spanId', 'parentSpanId']) if (typeof span[key] === 'string') span[key] = Buffer.from(span[key] as string, 'hex');
  }
  const bytes = Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(json)).finish());
  const client = new grpc.Client(door.address, grpc.credentials.createInsecure());
  t.after(() => client.close());
  const err = await new Promise<grpc.ServiceError | null>((resolve) =>
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, bytes, (e) => resolve(e)),
  );
  assert.equal(err?.code, grpc.status.UNAVAILABLE);
  assert.match(err!.details, /1 of 2 spans not queued; retry later/);
});

test('HTTP: a full store queue is 503 with Retry-After', async (t) => {
  const app = await buildOtlpHttpApp({ ingest: busyIngest(t), logger: pino({ level: 'silent' }) });
  t.after(() => app.close());
  const res = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body()) });
  assert.equal(res.statusCode, 503);
  assert.equal(res.headers['retry-after'], '1');
  assert.equal(res.json().code, 'unavailable');
});
