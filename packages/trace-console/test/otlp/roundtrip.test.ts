/**
 * SDK spans → official OTLP serializers → our decoder → spanToDocument gives the same
 * X-Ray documents as the SDK spans through fromReadableSpan: one mapping, two inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeOtlpTraces, inflateOtlpBody } from '../../src/otlp/decode.ts';
import { assertSameAsSdk, jsonBody, protobufBody, REMOTE_PARENT, sdkSpans } from './sdk-spans.ts';

test('OTLP/HTTP protobuf from the official serializer decodes to the same documents', () => {
  const spans = sdkSpans();
  const decoded = decodeOtlpTraces(protobufBody(spans), 'protobuf');
  assertSameAsSdk(decoded, spans);
  const server = decoded.find((s) => s.name === 'POST /archive')!;
  assert.equal(server.kind, 1);
  assert.equal(server.parentSpanId, REMOTE_PARENT.spanId);
  assert.deepEqual(server.attributes['nested.map'], { region: 'eu', zones: ['a', 'b'], depth: { level: 2 } });
  assert.equal(server.attributes['maybe'], null);
  // One resource object per ResourceSpans, shared by its spans.
  assert.ok(decoded.every((s) => s.resource === server.resource));
});

test('OTLP/HTTP JSON from the official serializer decodes to the same documents', () => {
  const spans = sdkSpans();
  assertSameAsSdk(decodeOtlpTraces(jsonBody(spans), 'json'), spans);
});

test('a gzip body is inflated, then decodes like the plain one', () => {
  const spans = sdkSpans();
  for (const [format, body] of [['protobuf', protobufBody(spans)], ['json', jsonBody(spans)]] as const) {
    const inflated = inflateOtlpBody(gzipSync(body), 'gzip');
    assertSameAsSdk(decodeOtlpTraces(inflated, format), spans);
  }
  assert.equal(inflateOtlpBody(protobufBody(spans), undefined).length, protobufBody(spans).length);
});

/** Rewrites every object key to snake_case, the proto field names OTLP/JSON also allows. */
function snakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()), snakeCase(v)]));
}

test('OTLP/JSON variants: snake_case names, enum names, int64 as numbers, unknown fields', () => {
  const spans = sdkSpans();
  const json = JSON.parse(new TextDecoder().decode(jsonBody(spans)));
  const kinds = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
  const codes = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
  for (const rs of json.resourceSpans) {
    rs.futureField = { anything: [1, 2] };
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        span.kind = kinds[span.kind];
        if (span.status?.code !== undefined) span.status.code = codes[span.status.code];
        span.traceId = span.traceId.toUpperCase(); // hex is case-insensitive
        span.flags = 257; // a field newer than the vendored definitions
        for (const kv of span.attributes) if (kv.value.intValue !== undefined) kv.value.intValue = String(kv.value.intValue);
      }
    }
  }
  const body = new TextEncoder().encode(JSON.stringify(snakeCase(json)));
  assertSameAsSdk(decodeOtlpTraces(body, 'json'), spans);
});

test('bytes become base64 strings; arrays and kvlists stay structured; big ints are exact', () => {
  const [span] = sdkSpans().filter((s) => s.name === 'render');
  const special = Object.create(span, {
    attributes: { value: { raw: new Uint8Array([0, 1, 254, 255]), list: ['x', null, 3.5, true], big: 2 ** 53 + 2, deep: { a: { b: { c: 'd' } } } } },
  });
  for (const [format, body] of [['protobuf', protobufBody([special])], ['json', jsonBody([special])]] as const) {
    const [decoded] = decodeOtlpTraces(body, format);
    assert.equal(decoded.attributes['raw'], 'AAH+/w==', format);
    assert.deepEqual(decoded.attributes['list'], ['x', null, 3.5, true], format);
    assert.deepEqual(decoded.attributes['deep'], { a: { b: { c: 'd' } } }, format);
    // Past 2^53 a JS number would round; the exact decimal string is kept instead.
    assert.equal(decoded.attributes['big'], String(2 ** 53 + 2), format);
  }
});

test('an empty request decodes to no spans', () => {
  assert.deepEqual(decodeOtlpTraces(new Uint8Array(0), 'protobuf'), []);
  assert.deepEqual(decodeOtlpTraces(new TextEncoder().encode('{}'), 'json'), []);
  assert.deepEqual(decodeOtlpTraces(new TextEncoder().encode('{"resourceSpans":[]}'), 'json'), []);
});
