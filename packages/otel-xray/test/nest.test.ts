/** Which spans of a slice nest inside which: trees, remote parents, SERVER spans, cycles. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { nestInSlice } from '../src/nest.ts';

const T = '5759e988bd862e3fe1be46a994272793';
function span(id: string, parent?: string, options: { kind?: SpanKind; remote?: boolean; trace?: string } = {}): ReadableSpan {
  const traceId = options.trace ?? T;
  return {
    spanContext: () => ({ traceId, spanId: id, traceFlags: 1 }),
    parentSpanContext: parent === undefined ? undefined : { traceId, spanId: parent, traceFlags: 1, isRemote: options.remote ?? false },
    kind: options.kind ?? SpanKind.CLIENT,
  } as unknown as ReadableSpan;
}

test('nest: children go under a parent in the slice, in slice order, to any depth', () => {
  const spans = [span('c1', 's'), span('g', 'c2'), span('c2', 's'), span('s', 'caller', { kind: SpanKind.SERVER, remote: true })];
  const forest = nestInSlice(spans)!;
  assert.deepEqual(forest.roots, [3]);
  assert.deepEqual(forest.children[3], [0, 2]);
  assert.deepEqual(forest.children[2], [1]);
  assert.equal(forest.children[0], undefined);
});

test('nest: nothing to nest gives undefined (one span, unrelated spans, a parent outside the slice)', () => {
  assert.equal(nestInSlice([span('a')]), undefined);
  assert.equal(nestInSlice([span('a'), span('b')]), undefined);
  assert.equal(nestInSlice([span('a', 'elsewhere'), span('b', 'elsewhere')]), undefined);
});

test('nest: a remote parent, a SERVER child or another trace is never nested', () => {
  assert.equal(nestInSlice([span('p'), span('c', 'p', { remote: true })]), undefined);
  assert.equal(nestInSlice([span('p'), span('c', 'p', { kind: SpanKind.SERVER })]), undefined);
  assert.equal(nestInSlice([span('p'), span('c', 'p', { trace: 'ffffffffffffffffffffffffffffffff' })]), undefined);
});

test('nest: spans in a cycle (ids repeated in a slice) each become a root, so every span is sent once', () => {
  const spans = [span('a', 'b'), span('b', 'a'), span('c', 'a'), span('r'), span('k', 'r')];
  const forest = nestInSlice(spans)!;
  const seen: number[] = [];
  const walk = (i: number): void => {
    seen.push(i);
    for (const k of forest.children[i] ?? []) walk(k);
  };
  for (const r of forest.roots) walk(r);
  assert.deepEqual(seen.slice().sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual(forest.children[3], [4]);
});
