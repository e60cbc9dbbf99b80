/**
 * The insight detector fed by a real trace store (segment documents committed, the store's
 * listener as the console wires it), on an injected clock.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileFilter } from '../../src/filter/index.ts';
import { buildFilterTrace } from '../../src/model/index.ts';
import { openTraceStore, type TraceStore } from '../../src/store/store.ts';
import { DEFAULT_GROUP, InsightDetector, findRootCause, rootCausesOf, type InsightGroup, type InsightOptions } from '../../src/xray/insights.ts';
import { tempDir } from '@tfa/test-helpers/tmp';
import { timedFetch, type Failure } from '../insight-traces.ts';

// Minute boundaries a little in the past (the store refuses nothing, the ids stay plausible).
const T0 = Math.floor(Date.now() / 60_000) * 60 - 3600;

function setup(t: TestContext, options: InsightOptions): { store: TraceStore; detector: InsightDetector } {
  const store = openTraceStore(join(tempDir(t), 'traces.db'), { pruneEveryMs: 0, flushDelayMs: 60_000 });
  t.after(() => store.close());
  const detector = new InsightDetector(options);
  store.onTrace((row) => detector.observe(row.id, row, () => store.filterTrace(row.id)));
  return { store, detector };
}

function store20(store: TraceStore, minute: number, failing: number, failure: Failure, docsOf = (docs: Record<string, unknown>[]) => docs): void {
  for (let i = 0; i < 20; i++) {
    for (const d of docsOf(timedFetch(T0 + minute * 60 + i, i < failing ? failure : 'none').docs)) {
      store.enqueue({ traceId: d.trace_id as string, id: d.id as string, inProgress: false, raw: JSON.stringify(d), parsed: d });
    }
  }
  store.flush();
}

test('root causes come from the trace model: the archiver\'s own fault, or the inferred upstream node', () => {
  assert.deepEqual(rootCausesOf(buildFilterTrace(timedFetch(T0, 'archiver').docs)), [{ name: 'archiver', type: 'service' }]);
  assert.deepEqual(rootCausesOf(buildFilterTrace(timedFetch(T0, 'upstream').docs)), [{ name: 'example.test', type: 'remote' }]);
  assert.deepEqual(rootCausesOf(buildFilterTrace(timedFetch(T0, 'none').docs)), []);
});

test('a bucket is judged once the clock has passed its end; the insight turns CLOSED when the rate comes back', (t) => {
  let now = (T0 + 10 * 60 + 30) * 1000;
  const { store, detector } = setup(t, { now: () => now });
  for (let m = 0; m < 10; m++) store20(store, m, 1, 'upstream');
  store20(store, 10, 15, 'archiver');
  assert.deepEqual(detector.insights(), [], 'minute 10 is still running');
  now = (T0 + 11 * 60) * 1000;
  const [opened] = detector.insights();
  assert.equal(opened!.end, undefined);
  const cause = findRootCause(store, opened!, 60);
  assert.deepEqual(cause, { service: { name: 'archiver', type: 'service' }, top: [{ name: 'archiver', type: 'service' }], traces: 15 });
  store20(store, 11, 0, 'none');
  now = (T0 + 12 * 60) * 1000;
  const [closed] = detector.insights();
  assert.equal(closed!.id, opened!.id, 'the id stays as the insight changes');
  assert.equal(closed!.end, T0 + 11 * 60);
  assert.deepEqual(closed!.steps.map((s) => s.kind), ['opened', 'closed']);
});

test('a trace stored again (its archiver segment came later) is counted once', (t) => {
  const { store, detector } = setup(t, { now: () => (T0 + 12 * 60) * 1000 });
  for (let m = 0; m < 10; m++) store20(store, m, 1, 'archiver');
  const later: Record<string, unknown>[] = [];
  store20(store, 10, 12, 'archiver', (docs) => (later.push(...docs.slice(1)), docs.slice(0, 1)));
  for (const d of later) store.enqueue({ traceId: d.trace_id as string, id: d.id as string, inProgress: false, raw: JSON.stringify(d), parsed: d });
  store.flush();
  const [insight] = detector.insights();
  assert.deepEqual(insight!.counts, { fault: 12, ok: 8, total: 20 });
  assert.equal(findRootCause(store, insight!, 60).service.name, 'archiver');
});

test('groups come through InsightGroupSource; each group sees only its traces', (t) => {
  const withArchiver: InsightGroup = { name: 'archived', arn: 'arn:aws:xray:local:000000000000:group/archived/1', filter: compileFilter('service("archiver")') };
  const { store, detector } = setup(t, { now: () => (T0 + 12 * 60) * 1000, groups: { groups: () => [DEFAULT_GROUP, withArchiver] } });
  for (let m = 0; m < 10; m++) store20(store, m, 0, 'none');
  store20(store, 10, 10, 'upstream'); // upstream failures never reach the archiver
  const found = detector.insights();
  assert.deepEqual(found.map((i) => i.group.name), ['Default']);
  assert.equal(findRootCause(store, found[0]!, 60).service.name, 'example.test');
  assert.equal(detector.group('archived', undefined), withArchiver);
  assert.throws(() => detector.group('nope', undefined), { type: 'InvalidRequestException' });
});
