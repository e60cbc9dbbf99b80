/** OTLP into trace-console: /v1/traces (JSON, gzip protobuf) and ADOT T1S frames on the UDP port. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ExportTraceServiceRequest } from '../../src/otlp/schema.ts';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { jsonRequest, otelTraceId, xrayId } from '../fixtures.ts';

/** The same request as protobuf bytes. */
function protobufRequest(traceId: string, serverId: string, clientId: string): Uint8Array {
  const json = jsonRequest(traceId, serverId, clientId);
  for (const span of json.resourceSpans[0]!.scopeSpans[0]!.spans as Record<string, unknown>[]) {
    for (const key of ['traceId', 'spanId', 'parentSpanId']) if (typeof span[key] === 'string') span[key] = Buffer.from(span[key] as string, 'hex');
  }
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(json)).finish();
}

test('OTLP ingest', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db') });

  await t.test('POST /v1/traces with JSON answers {} and the spans become X-Ray documents', async () => {
    const traceId = otelTraceId();
    const [serverId, clientId] = [randomBytes(8).toString('hex'), randomBytes(8).toString('hex')];
    const res = await fetch(`${tc.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jsonRequest(traceId, serverId, clientId)) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    const trace = await tc.waitForTrace(xrayId(traceId), (tr) => tr.segments.length === 2);
    const server = trace.segments.find((s: any) => s.id === serverId);
    const client = trace.segments.find((s: any) => s.id === clientId);
    assert.equal(server.name, 'otel-svc');
    assert.equal(client.type, 'subsegment');
    assert.equal(client.parent_id, serverId);
    assert.equal(client.namespace, 'remote');
    const { json } = await tc.get('/api/service-graph');
    const svc = json.services.find((s: any) => s.name === 'otel-svc');
    assert.ok(svc.edges.some((e: any) => e.to_type === 'remote' && e.faults === 1), JSON.stringify(svc));
  });

  await t.test('POST /v1/traces with gzip protobuf answers an empty protobuf body', async () => {
    const traceId = otelTraceId();
    const [serverId, clientId] = [randomBytes(8).toString('hex'), randomBytes(8).toString('hex')];
    const res = await fetch(`${tc.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body: gzipSync(protobufRequest(traceId, serverId, clientId)),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    assert.equal((await res.arrayBuffer()).byteLength, 0);
    await tc.waitForTrace(xrayId(traceId), (tr) => tr.segments.length === 2);
  });

  await t.test('a malformed OTLP body is a 400 in the contract shape', async () => {
    const res = await fetch(`${tc.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0xff, 0xff, 0xff, 0x07]) });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.status, 400);
    assert.equal(typeof body.detail, 'string');
    const wrongType = await fetch(`${tc.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(wrongType.status, 415);
  });

  await t.test('an ADOT T1S frame on the UDP port is decoded like OTLP', async () => {
    const traceId = otelTraceId();
    const [serverId, clientId] = [randomBytes(8).toString('hex'), randomBytes(8).toString('hex')];
    const frame = Buffer.from(`{"format":"json","version":1}\nT1S${Buffer.from(protobufRequest(traceId, serverId, clientId)).toString('base64')}`);
    await tc.send(frame);
    const trace = await tc.waitForTrace(xrayId(traceId), (tr) => tr.segments.length === 2);
    assert.ok(trace.segments.some((s: any) => s.name === 'otel-svc'));
  });
});
