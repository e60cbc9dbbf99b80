/**
 * Bad OTLP input is refused with a short OtlpDecodeError, quickly: never a crash, a hang
 * or an unbounded allocation. The few hand-made byte strings below are malformed on
 * purpose; well-formed payloads come from the official serializer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decodeOtlpTraces, inflateOtlpBody, MAX_BODY_BYTES, MAX_SPANS, OtlpDecodeError } from '../../src/otlp/decode.ts';
import { jsonBody, protobufBody, sdkSpans } from './sdk-spans.ts';

const QUICK = { timeout: 10_000 };

/** A length-delimited protobuf field (wire type 2) holding `parts`. */
function field(id: number, ...parts: (number[] | Uint8Array)[]): Uint8Array {
  const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
  const len: number[] = [];
  for (let n = body.length; ; n >>>= 7) {
    if (n < 0x80) { len.push(n); break; }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([(id << 3) | 2, ...len]), body]);
}

/** A request holding one span with the given encoded fields. */
function requestWithSpan(...spanFields: (number[] | Uint8Array)[]): Uint8Array {
  return field(1, field(2, field(2, ...spanFields)));
}

const TRACE_ID = field(1, Buffer.alloc(16, 0xab));
const SPAN_ID = field(2, Buffer.alloc(8, 0xcd));

function rejects(body: Uint8Array, format: 'protobuf' | 'json', pattern: RegExp, what: string): OtlpDecodeError {
  let caught: unknown;
  try {
    decodeOtlpTraces(body, format);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof OtlpDecodeError, `${what}: expected OtlpDecodeError, got ${caught}`);
  assert.match(caught.message, pattern, what);
  assert.ok(caught.message.length < 200, `${what}: message stays short`);
  return caught;
}

test('the hand-made span encoding is sound (control for the cases below)', () => {
  const [span] = decodeOtlpTraces(requestWithSpan(TRACE_ID, SPAN_ID, field(5, Buffer.from('ok'))), 'protobuf');
  assert.equal(span.traceId, 'ab'.repeat(16));
  assert.equal(span.name, 'ok');
});

test('every truncation of a real protobuf body is refused', QUICK, () => {
  const body = protobufBody(sdkSpans());
  for (let cut = 1; cut < body.length; cut++) rejects(body.subarray(0, cut), 'protobuf', /invalid OTLP protobuf|must be/, `cut at ${cut}`);
});

test('wrong and invalid wire types are refused', QUICK, () => {
  // trace_id sent as a varint: skipped as the wrong type, so the span has no trace id.
  rejects(requestWithSpan([0x08, 0x05], SPAN_ID), 'protobuf', /trace_id must be 16 bytes/, 'varint trace_id');
  // span_id sent as fixed32.
  rejects(requestWithSpan(TRACE_ID, [0x15, 1, 2, 3, 4]), 'protobuf', /span_id must be 8 bytes/, 'fixed32 span_id');
  rejects(requestWithSpan(TRACE_ID, SPAN_ID, [0x3f, 0]), 'protobuf', /invalid wire type/, 'wire type 7');
  rejects(Uint8Array.from([0x0b, 0x08, 0x01]), 'protobuf', /invalid OTLP protobuf/, 'unterminated group');
  rejects(Uint8Array.from([0x0c]), 'protobuf', /invalid OTLP protobuf/, 'stray end group');
});

test('huge declared lengths and unterminated varints are refused without allocating', QUICK, () => {
  rejects(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), 'protobuf', /invalid OTLP protobuf/, '4 GiB resource_spans');
  rejects(field(1, [0x12, 0xff, 0xff, 0xff, 0xff, 0x07]), 'protobuf', /invalid OTLP protobuf/, '2 GiB scope_spans inside');
  rejects(requestWithSpan(TRACE_ID, SPAN_ID, [0x2a, 0x80, 0x80, 0x80, 0x80, 0x08]), 'protobuf', /invalid OTLP protobuf/, '2 GiB name');
  rejects(Uint8Array.from([0x08, ...Array(11).fill(0xff)]), 'protobuf', /invalid OTLP protobuf/, 'unterminated varint');
});

test('ids of the wrong size or all zeros are refused', () => {
  rejects(requestWithSpan(field(1, Buffer.alloc(15, 1)), SPAN_ID), 'protobuf', /trace_id must be 16 bytes, got 15/, 'short trace id');
  rejects(requestWithSpan(field(1, Buffer.alloc(16, 0)), SPAN_ID), 'protobuf', /all zeros/, 'zero trace id');
  rejects(requestWithSpan(TRACE_ID, SPAN_ID, field(4, Buffer.alloc(3, 1))), 'protobuf', /parent_span_id must be 8 bytes/, 'short parent');
  const json = (span: object) => new TextEncoder().encode(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }));
  rejects(json({ traceId: 'zz'.repeat(16), spanId: 'cd'.repeat(8) }), 'json', /traceId must be hex/, 'non-hex JSON id');
  rejects(json({ traceId: 'ab'.repeat(16), spanId: 'abc' }), 'json', /spanId must be hex/, 'odd-length JSON id');
  rejects(json({ traceId: 'ab'.repeat(8), spanId: 'cd'.repeat(8) }), 'json', /trace_id must be 16 bytes/, 'short JSON id');
});

/** A copy of a real span whose attribute `deep` nests `levels` kvlists. */
function deepSpan(levels: number) {
  const [span] = sdkSpans().filter((s) => s.name === 'render');
  let deep: Record<string, unknown> = { leaf: 'x' };
  for (let i = 0; i < levels; i++) deep = { next: deep };
  return Object.create(span, { attributes: { value: { deep } } });
}

test('deeply nested kvlists are refused, in protobuf and in JSON', QUICK, () => {
  const span = deepSpan(500);
  rejects(protobufBody([span]), 'protobuf', /invalid OTLP protobuf: max depth exceeded/, 'protobuf');
  rejects(jsonBody([span]), 'json', /invalid OTLP\/JSON: max depth exceeded/, 'json');
  // A JSON body that is nothing but nesting.
  rejects(new TextEncoder().encode('['.repeat(200_000) + ']'.repeat(200_000)), 'json', /must be an object|invalid JSON/, 'bare nesting');
  // Moderate nesting is fine.
  const [ok] = decodeOtlpTraces(protobufBody([deepSpan(10)]), 'protobuf');
  assert.equal(typeof ok.attributes['deep'], 'object');
});

test('bodies over 5 MB, gzip bombs and more than 10 000 spans are refused', QUICK, () => {
  const big = rejects(new Uint8Array(MAX_BODY_BYTES + 1), 'protobuf', /over the 5242880-byte limit/, 'big body');
  assert.equal(big.status, 413);
  const bomb = gzipSync(Buffer.alloc(MAX_BODY_BYTES * 4));
  assert.ok(bomb.length < 64 * 1024);
  assert.throws(() => inflateOtlpBody(bomb, 'gzip'), (err) => err instanceof OtlpDecodeError && err.status === 413);
  assert.throws(() => inflateOtlpBody(Uint8Array.from([0x1f, 0x8b, 0x08, 0, 1, 2]), 'gzip'), /invalid gzip body/);
  assert.throws(() => inflateOtlpBody(new Uint8Array(4), 'br'), /unsupported Content-Encoding "br"/);
  const many = sdkSpans({ extra: MAX_SPANS });
  assert.ok(many.length > MAX_SPANS);
  rejects(protobufBody(many), 'protobuf', /more than 10000 spans/, 'too many spans');
  assert.equal(decodeOtlpTraces(protobufBody(many.slice(0, MAX_SPANS)), 'protobuf').length, MAX_SPANS);
});

test('malformed JSON bodies are refused', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  rejects(enc('{"resourceSpans": ['), 'json', /invalid JSON/, 'truncated');
  rejects(enc('[]'), 'json', /must be an object/, 'array');
  rejects(Uint8Array.from([0x7b, 0xff, 0x7d]), 'json', /invalid UTF-8/, 'bad UTF-8');
  rejects(enc('{"resourceSpans": 5}'), 'json', /invalid OTLP\/JSON/, 'wrong type');
  rejects(enc('{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "' + 'ab'.repeat(16) + '", "spanId": "' + 'cd'.repeat(8) + '", "startTimeUnixNano": "soon"}]}]}]}'), 'json', /invalid OTLP\/JSON/, 'bad int64');
  rejects(enc('{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "' + 'ab'.repeat(16) + '", "spanId": "' + 'cd'.repeat(8) + '", "attributes": [{"key": "k", "value": {"stringValue": "a", "intValue": 1}}]}]}]}]}'), 'json', /oneof/, 'two oneof members');
});
