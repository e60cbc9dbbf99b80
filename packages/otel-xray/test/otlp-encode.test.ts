/**
 * The OTLP span encoder writes, byte for byte, what the official serializer
 * (`@opentelemetry/otlp-transformer`) writes for the same spans, and the console's decoder
 * (built from the official .proto files) reads it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeOtlpTraces } from '@tfa/trace-console/otlp/decode';
import { encodeTraceRequest, encodeTraceRequestBase64 } from '../src/otlp-encode.ts';

function official(spans: ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
}

function provider(service: string, schemaUrl?: string) {
  const exporter = new InMemorySpanExporter();
  const resource = resourceFromAttributes({ 'service.name': service, 'host.name': 'büro-1', 'process.pid': 4242 }, schemaUrl ? { schemaUrl } : undefined);
  const p = new TracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { p, exporter };
}

const remote = { traceId: '6920aa00b1c2d3e4f5a6b7c8d9e0f1a2', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: new TraceState('vendor=a,other=b') };

/** Every kind of value an attribute can hold, and then some. */
const awkward: Attributes = {
  ascii: 'plain',
  unicode: 'grüße 🚀 日本',
  lone: 'half \ud800 a surrogate',
  long: 'x'.repeat(300),
  longUnicode: 'ü'.repeat(100),
  // Where the writer changes method: one- and two-byte lengths, ASCII copied or not.
  ascii15: 'h'.repeat(15),
  ascii16: 'i'.repeat(16),
  unicode15: `${'j'.repeat(14)}é`,
  ascii127: 'a'.repeat(127),
  ascii128: 'b'.repeat(128),
  ascii16383: 'c'.repeat(16383),
  ascii16384: 'd'.repeat(16384),
  asciiThenUnicode: `${'e'.repeat(130)}é`,
  unicode42: `${'f'.repeat(41)}ß`,
  unicode43: `${'g'.repeat(42)}ß`,
  del: 'control \u007f and \u0080',
  empty: '',
  yes: true,
  no: false,
  zero: 0,
  small: 7,
  negative: -42,
  big: 2 ** 40 + 3,
  bigNegative: -(2 ** 45),
  max: Number.MAX_SAFE_INTEGER,
  ratio: 0.25,
  negRatio: -1.5e-7,
  huge: 1e300,
  strings: ['a', 'b', ''],
  numbers: [1, 2.5, -3],
  bools: [true, false],
  mixed: ['a', null, undefined, 3] as unknown as string[],
  nothing: undefined,
  ['k'.repeat(200)]: 'a long key',
};

function spans(): ReadableSpan[] {
  const a = provider('svc-a');
  const b = provider('svc-b', 'https://opentelemetry.io/schemas/1.30.0');
  const tracer = a.p.getTracer('scope-one', '1.0.0');
  const other = a.p.getTracer('scope-two');
  const parent = trace.setSpanContext(context.active(), remote);
  const server = tracer.startSpan('GET /archive/:id', { kind: SpanKind.SERVER, attributes: awkward }, parent);
  const inner = trace.setSpan(parent, server);
  const child = other.startSpan('ö child', { kind: SpanKind.CLIENT, links: [{ context: remote, attributes: { why: 'follows' } }, { context: { ...remote, isRemote: false, traceState: undefined } }] }, inner);
  child.addEvent('retry', { attempt: 2, nested: { deep: { deeper: [1, 'two'] } } } as unknown as Attributes);
  child.addEvent('bare');
  child.recordException(Object.assign(new Error('disk full'), { name: 'DiskError' }));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'it failed: ü' });
  child.end();
  tracer.startSpan('internal', {}, inner).end();
  tracer.startSpan('', { kind: SpanKind.PRODUCER }, inner).end();
  const ok = tracer.startSpan('ok', { kind: SpanKind.CONSUMER, attributes: { bytes: new Uint8Array([0, 1, 255]) as unknown as string } }, inner);
  ok.setStatus({ code: SpanStatusCode.OK });
  ok.end();
  // A span big enough that its length takes three bytes.
  const big = tracer.startSpan('big', { attributes: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`attr.${i}`, 'v'.repeat(200)])) }, inner);
  for (let i = 0; i < 40; i++) big.addEvent(`event ${i}`, { i });
  big.end();
  server.end();
  b.p.getTracer('scope-b', '2').startSpan('root of b', { kind: SpanKind.SERVER, attributes: { 'http.route': '/b' } }).end();
  // Interleave the two resources, as a processor shared by two providers would see them.
  const fromA = a.exporter.getFinishedSpans();
  const fromB = b.exporter.getFinishedSpans();
  return [fromA[0]!, fromB[0]!, ...fromA.slice(1)];
}

test('the encoder writes the official serializer bytes, for every kind of field', () => {
  const all = spans();
  assert.ok(all.length >= 7);
  assert.deepEqual(encodeTraceRequest(all), official(all));
  // One span at a time, and twice in a row (the cached resource and keys are used the second time).
  for (const s of all) assert.deepEqual(encodeTraceRequest([s]), official([s]), s.name);
  assert.deepEqual(encodeTraceRequest(all), official(all));
  assert.equal(encodeTraceRequestBase64(all), official(all).toString('base64'));
  assert.deepEqual(encodeTraceRequest([]), official([]));
});

test('each result is its own buffer: a later call does not overwrite it', () => {
  const all = spans();
  const first = encodeTraceRequest(all.slice(0, 1));
  const copy = Buffer.from(first);
  encodeTraceRequest(all);
  assert.deepEqual(first, copy);
});

test('the console decoder reads what the encoder writes', () => {
  const all = spans();
  const decoded = decodeOtlpTraces(encodeTraceRequest(all), 'protobuf');
  assert.deepEqual(decoded, decodeOtlpTraces(official(all), 'protobuf'));
  assert.equal(decoded.length, all.length);
});

test('times past 2^53 nanoseconds are exact', () => {
  const all = spans();
  const s = all[0]!;
  for (const t of [[0, 0], [1, 1], [4294, 967296000], [1_767_225_600, 999_999_999], [9_000_000_000, 5]] as const) {
    const shifted = Object.assign(Object.create(Object.getPrototypeOf(s)), s, { startTime: [t[0], t[1]], endTime: [t[0], t[1]] }) as ReadableSpan;
    assert.deepEqual(encodeTraceRequest([shifted]), official([shifted]), `${t}`);
  }
});
