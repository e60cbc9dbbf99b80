/** Fitting documents into one datagram (XRAY-REFERENCE §2.3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitDocument } from '../src/wire/fit.ts';
import { spanToDocument } from '../src/wire/translate.ts';
import type { SegmentDocument } from '../src/wire/types.ts';
import { assertValidDocument } from './validate.ts';
import { child, Kind, span, v8Stack } from './fixtures.ts';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

test('fit: a small document is returned as is, untrimmed', () => {
  const doc = spanToDocument(span({ kind: Kind.SERVER }));
  const { json, trimmed } = fitDocument(doc);
  assert.deepEqual(trimmed, []);
  assert.equal(json, JSON.stringify(doc));
});

test('fit: a 200 KB attribute is trimmed, recorded, and the document stays valid', () => {
  const doc = spanToDocument(span({ kind: Kind.SERVER, attributes: { body: 'x'.repeat(200 * 1024), small: 'kept' } }));
  const { json, trimmed } = fitDocument(doc);
  assert.ok(bytes(json) <= 64000, `${bytes(json)} bytes`);
  assert.deepEqual(trimmed, ['metadata.default.body']);
  const parsed = JSON.parse(json);
  assertValidDocument(parsed);
  assert.equal(parsed.metadata.default.body, '<trimmed 204802 bytes>');
  assert.equal(parsed.metadata.default.small, 'kept');
  assert.deepEqual(parsed.metadata.exporter.trimmed, ['metadata.default.body']);
  assert.equal(parsed.id, doc.id);
  // The caller's document is untouched (it may share cached resource objects).
  assert.equal((doc.metadata!.default.body as string).length, 200 * 1024);
});

test('fit: largest metadata values go first; smaller ones survive', () => {
  const doc = spanToDocument(child(Kind.INTERNAL, { attributes: { a: 'a'.repeat(50_000), b: 'b'.repeat(30_000), c: 'c'.repeat(10_000) } }));
  const { json, trimmed } = fitDocument(doc);
  assert.deepEqual(trimmed, ['metadata.default.a']);
  assert.equal(JSON.parse(json).metadata.default.c.length, 10_000);
});

test('fit: multi-byte text is measured in UTF-8 bytes, not characters', () => {
  // 30 000 chars of a 3-byte character: 90 000 bytes, although under 64 000 chars.
  const doc = spanToDocument(child(Kind.INTERNAL, { attributes: { text: '€'.repeat(30_000) } }));
  const { json, trimmed } = fitDocument(doc);
  assert.ok(bytes(json) <= 64000);
  assert.deepEqual(trimmed, ['metadata.default.text']);
});

test('fit: long annotation and http strings are shortened when metadata is not enough', () => {
  const doc = spanToDocument(span({
    kind: Kind.SERVER,
    attributes: { note: 'n'.repeat(900), 'url.full': 'https://example.com/' + 'p'.repeat(70_000), 'http.request.method': 'GET', 'aws.xray.annotations': ['note'] },
  }));
  const { json, trimmed } = fitDocument(doc);
  assert.ok(bytes(json) <= 64000);
  assert.ok(trimmed.includes('http.request.url'), trimmed.join());
  const parsed = JSON.parse(json);
  assertValidDocument(parsed);
  assert.match(parsed.http.request.url, /^https:\/\/example\.com\/p+…<trimmed \d+ bytes>$/);
});

test('fit: many small metadata entries end in dropping the namespace, never the document', () => {
  const attributes = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`attribute_${i}`, i]));
  const doc = spanToDocument(child(Kind.INTERNAL, { attributes }));
  const { json, trimmed } = fitDocument(doc);
  assert.ok(bytes(json) <= 64000);
  assert.ok(trimmed.includes('metadata.default'));
  const parsed = JSON.parse(json);
  assertValidDocument(parsed);
  assert.equal(parsed.type, 'subsegment');
});

test('fit: huge exception stacks and many links fit too', () => {
  const events = Array.from({ length: 200 }, (_, i) => ({ name: 'exception', time: 1704067200, attributes: { 'exception.type': 'E', 'exception.stacktrace': v8Stack('x'.repeat(40) + i, 50) } }));
  const links = Array.from({ length: 300 }, (_, i) => ({ traceId: '65920080' + i.toString(16).padStart(24, '0'), spanId: (i + 1).toString(16).padStart(16, '0') }));
  const doc = spanToDocument(child(Kind.INTERNAL, { status: { code: 2 }, events, links }));
  const { json } = fitDocument(doc);
  assert.ok(bytes(json) <= 64000, `${bytes(json)} bytes`);
  assertValidDocument(JSON.parse(json));
});

test('fit: a tighter budget is honoured; a budget below 1 KiB is refused', () => {
  const doc = spanToDocument(span({ kind: Kind.SERVER, attributes: { body: 'x'.repeat(10_000) } }));
  const { json } = fitDocument(doc, 4000);
  assert.ok(bytes(json) <= 4000);
  assert.throws(() => fitDocument(doc as SegmentDocument, 100), /budget 100/);
});
