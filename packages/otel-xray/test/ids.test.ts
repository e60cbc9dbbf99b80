/** X-Ray compatible ids (XRAY-REFERENCE §1.1, §1.2). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  fromXRayTraceId, isValidXRayTraceId, randomSpanId, toXRayTraceId, XRayIdGenerator,
} from '../src/ids.ts';
import { setPendingRoot } from '../src/root-context.ts';

const gen = new XRayIdGenerator();

test('ids: trace ids are 32 hex whose first 8 are the current epoch seconds', () => {
  const before = Math.floor(Date.now() / 1000);
  const id = gen.generateTraceId();
  const after = Math.floor(Date.now() / 1000);
  assert.match(id, /^[0-9a-f]{32}$/);
  const epoch = parseInt(id.slice(0, 8), 16);
  assert.ok(epoch >= before && epoch <= after, `epoch ${epoch} not in [${before}, ${after}]`);
  assert.ok(isValidXRayTraceId(toXRayTraceId(id)));
});

test('ids: the X-Ray form of the newest id, an older one and an equal copy are all the same conversion', () => {
  const slow = (id: string) => `1-${id.slice(0, 8)}-${id.slice(8)}`;
  const older = gen.generateTraceId();
  const newest = gen.generateTraceId();
  assert.equal(toXRayTraceId(newest), slow(newest));
  assert.equal(toXRayTraceId(older), slow(older));
  // The same characters arriving as another string (a caller's header) convert alike.
  const copy = [...newest].join('');
  assert.equal(toXRayTraceId(copy), slow(newest));
  assert.equal(toXRayTraceId('5759e988bd862e3fe1be46a994272793'), '1-5759e988-bd862e3fe1be46a994272793');
});

test('ids: span ids are 16 hex and non-zero; ids are unique across pool refills', () => {
  const traces = new Set<string>();
  const spans = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    traces.add(gen.generateTraceId().slice(8));
    const s = gen.generateSpanId();
    assert.match(s, /^[0-9a-f]{16}$/);
    assert.notEqual(s, '0000000000000000');
    spans.add(s);
  }
  assert.equal(traces.size, 5000);
  assert.equal(spans.size, 5000);
});

test('ids: randomness does not come from Math.random', (t) => {
  // With Math.random frozen, a Math.random-based generator would repeat itself.
  t.mock.method(Math, 'random', () => 0.5);
  const ids = new Set(Array.from({ length: 100 }, () => randomSpanId()));
  assert.equal(ids.size, 100);
  const randomParts = new Set(Array.from({ length: 100 }, () => gen.generateTraceId().slice(8)));
  assert.equal(randomParts.size, 100);
});

test('ids: random bits look uniform (each hex digit roughly equally frequent)', () => {
  const counts = new Array(16).fill(0);
  for (let i = 0; i < 2000; i++) for (const c of randomSpanId()) counts[parseInt(c, 16)]++;
  const expected = (2000 * 16) / 16;
  for (const n of counts) assert.ok(Math.abs(n - expected) < expected * 0.15, `digit count ${n} far from ${expected}`);
});

const conversions: Array<[string, string | undefined]> = [
  ['1-58406520-a006649127e371903a2de979', '58406520a006649127e371903a2de979'],
  ['1-58406520-A006649127E371903A2DE979', undefined], // uppercase: not the documented form
  ['2-58406520-a006649127e371903a2de979', undefined], // unknown version
  ['1-5840652-a006649127e371903a2de9790', undefined], // hyphen misplaced
  ['1-58406520-a006649127e371903a2de97', undefined], // short
  ['1-58406520-a006649127e371903a2de9799', undefined], // long
  ['1-58406520-a006649127e371903a2de97g', undefined], // not hex
  ['1-00000000-000000000000000000000000', undefined], // all zero
  ['', undefined],
];

for (const [xray, otel] of conversions) {
  test(`ids: fromXRayTraceId(${JSON.stringify(xray)}) → ${otel}`, () => {
    assert.equal(fromXRayTraceId(xray), otel);
    assert.equal(isValidXRayTraceId(xray), otel !== undefined);
    if (otel !== undefined) assert.equal(toXRayTraceId(otel), xray);
  });
}

test('ids: a pending Root (header without Parent) is adopted by exactly one root span', () => {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  try {
    const root = '5759e988bd862e3fe1be46a994272793';
    const ctx = setPendingRoot(ROOT_CONTEXT, root, undefined);
    const [first, second] = context.with(ctx, () => [gen.generateTraceId(), gen.generateTraceId()]);
    assert.equal(first, root);
    assert.notEqual(second, root);
    assert.notEqual(gen.generateTraceId(), root); // outside the context: fresh
  } finally {
    context.disable();
  }
});
