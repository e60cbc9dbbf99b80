/**
 * Real spans from the OpenTelemetry JS SDK (3.x TracerProvider + InMemorySpanExporter),
 * serialized by the official `@opentelemetry/otlp-transformer`: the payloads the decoder
 * must read, with no encoder of our own.
 */
import assert from 'node:assert/strict';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { fromReadableSpan } from '@tfa/otel-xray/readable-span';
import { spanToDocument, type TranslatorSpan } from '@tfa/otel-xray/wire/translate';

/** A remote caller's span context, as a propagator would extract it. */
export const REMOTE_PARENT = { traceId: '6920aa00b1c2d3e4f5a6b7c8d9e0f1a2', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true };

/** Ends `count` spans of a small request made with the real SDK and returns them. */
export function sdkSpans(options: { service?: string; extra?: number } = {}): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service ?? 'otlp-test', 'service.version': '1.2.3', 'host.name': 'büro-1' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('otlp-decode-test', '0.9.1');
  const remote = trace.setSpanContext(context.active(), REMOTE_PARENT);
  const server = tracer.startSpan('POST /archive', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'POST', 'url.path': '/archive', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'server.port': 8080,
      'http.response.status_code': 201, 'user_agent.original': 'test/1.0', 'remote_url': 'https://example.com/ä?q=1',
      'aws.xray.annotations': ['remote_url'], 'retry.ratio': 0.25, 'cache.hit': false, 'tags': ['a', 'b'], 'sizes': [1, 2, 3],
      'nested.map': { region: 'eu', zones: ['a', 'b'], depth: { level: 2 } }, 'maybe': null,
    },
  }, remote);
  const inServer = trace.setSpan(remote, server);
  const db = tracer.startSpan('INSERT archive.db', {
    kind: SpanKind.CLIENT,
    attributes: { 'db.system.name': 'sqlite', 'db.namespace': 'archive.db', 'db.query.text': 'INSERT INTO archives VALUES (?)', 'server.address': 'localhost' },
  }, inServer);
  db.end();
  const work = tracer.startSpan('render', { kind: SpanKind.INTERNAL, links: [{ context: REMOTE_PARENT, attributes: { 'link.kind': 'follows' } }] }, inServer);
  work.addEvent('cache.miss', { key: 'k1', attempt: 2 });
  work.recordException(Object.assign(new Error('boom: disk full'), { name: 'DiskError' }));
  work.setStatus({ code: SpanStatusCode.ERROR, message: 'render failed' });
  work.end();
  const client = tracer.startSpan('GET', {
    kind: SpanKind.CLIENT,
    attributes: { 'http.request.method': 'GET', 'url.full': 'https://example.com/page', 'http.response.status_code': 503 },
  }, inServer);
  client.end();
  const producer = tracer.startSpan('publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka' } }, inServer);
  producer.end();
  const consumer = tracer.startSpan('receive', { kind: SpanKind.CONSUMER }, inServer);
  consumer.setStatus({ code: SpanStatusCode.OK });
  consumer.end();
  for (let i = 0; i < (options.extra ?? 0); i++) tracer.startSpan(`extra ${i}`, {}, inServer).end();
  server.end();
  return exporter.getFinishedSpans();
}

/** The OTLP/HTTP protobuf body the official exporter would send for `spans`. */
export function protobufBody(spans: ReadableSpan[]): Uint8Array {
  return ProtobufTraceSerializer.serializeRequest(spans)!;
}

/** The OTLP/HTTP JSON body the official exporter would send for `spans`. */
export function jsonBody(spans: ReadableSpan[]): Uint8Array {
  return JsonTraceSerializer.serializeRequest(spans)!;
}

/** A datagram exactly as ADOT's OTLPUdpSpanExporter sends it (XRAY-REFERENCE §2.6). */
export function adotDatagram(spans: ReadableSpan[], prefix: 'T1S' | 'T1U' = 'T1S'): string {
  return '{"format":"json","version":1}\n' + prefix + Buffer.from(protobufBody(spans)).toString('base64');
}

const fixedId = () => 'e1e1e1e1e1e1e1e1';

/** Asserts two epoch-seconds times agree within 1 µs. */
export function assertTime(actual: number | undefined, expected: number | undefined, what: string): void {
  assert.equal(typeof actual, typeof expected, what);
  if (expected !== undefined) assert.ok(Math.abs(actual! - expected) <= 1e-6, `${what}: ${actual} vs ${expected}`);
}

/** Asserts that decoded spans translate to the documents the SDK spans translate to. */
export function assertSameAsSdk(decoded: TranslatorSpan[], spans: ReadableSpan[]): void {
  assert.equal(decoded.length, spans.length);
  const byId = new Map(decoded.map((s) => [s.spanId, s]));
  for (const original of spans) {
    const expected = fromReadableSpan(original);
    const got = byId.get(expected.spanId);
    assert.ok(got, `span ${expected.name} decoded`);
    assert.equal(got.traceId, expected.traceId);
    assert.equal(got.parentSpanId, expected.parentSpanId);
    assert.equal(got.kind, expected.kind, `${expected.name} kind`);
    assertTime(got.startTime, expected.startTime, `${expected.name} start`);
    assertTime(got.endTime, expected.endTime, `${expected.name} end`);
    assert.deepEqual(got.status, { ...expected.status }, `${expected.name} status`);
    assert.deepEqual(got.resource, expected.resource);
    assert.deepEqual(got.scope, { name: expected.scope!.name, version: expected.scope!.version });
    assert.equal(got.events.length, expected.events.length);
    got.events.forEach((e, i) => {
      assert.equal(e.name, expected.events[i].name);
      assertTime(e.time, expected.events[i].time, `${expected.name} event ${i}`);
      assert.deepEqual(e.attributes, expected.events[i].attributes ?? {});
    });
    assert.deepEqual(got.links.map((l) => ({ ...l })), expected.links.map((l) => ({ ...l, attributes: l.attributes ?? {} })));
    const [docGot, docExpected] = [spanToDocument(got, { newId: fixedId }), spanToDocument(expected, { newId: fixedId })];
    assertTime(docGot.start_time, docExpected.start_time, 'doc start_time');
    assertTime(docGot.end_time, docExpected.end_time, 'doc end_time');
    assert.deepEqual({ ...docGot, start_time: 0, end_time: 0 }, { ...docExpected, start_time: 0, end_time: 0 }, `${expected.name} document`);
  }
}
