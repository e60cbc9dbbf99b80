/** The insight detector fed with filter models of real segment documents, on an injected clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFilterTrace, compileFilter, type FilterTrace } from '../../../src/console/filter/index.ts';
import { DEFAULT_GROUP, InsightDetector, rootCausesOf, type InsightGroup } from '../../../src/console/xray/insights.ts';
import { timedFetch, type Failure } from '../insight-traces.ts';

const T0 = 1_780_000_020; // a minute boundary (epoch seconds)

/** Hands the detector a trace the way the store does: its summary row's flags and its model on demand. */
function observe(detector: InsightDetector, id: string, trace: FilterTrace): void {
  detector.observe(id, { start_time: trace.startTime, fault: trace.fault ? 1 : 0, ok: trace.ok ? 1 : 0 }, () => trace);
}

function feed(detector: InsightDetector, minute: number, failing: number, failure: Failure, total = 20): void {
  for (let i = 0; i < total; i++) {
    const { trace, docs } = timedFetch(T0 + minute * 60 + i, i < failing ? failure : 'none');
    observe(detector, trace, buildFilterTrace(docs));
  }
}

test('the root cause comes from the trace model: the archiver\'s own fault, or the inferred upstream node', () => {
  const archiver = buildFilterTrace(timedFetch(T0, 'archiver').docs);
  assert.equal(archiver.fault, true);
  assert.deepEqual(rootCausesOf(archiver), [{ name: 'archiver', type: 'service' }]);
  const upstream = buildFilterTrace(timedFetch(T0, 'upstream').docs);
  assert.deepEqual(rootCausesOf(upstream), [{ name: 'example.test', type: 'remote' }]);
  assert.deepEqual(rootCausesOf(buildFilterTrace(timedFetch(T0, 'none').docs)), []);
});

test('a bucket is judged once the clock has passed its end; the insight turns CLOSED when the rate comes back', () => {
  let now = (T0 + 10 * 60 + 30) * 1000;
  const detector = new InsightDetector({ now: () => now });
  for (let m = 0; m < 10; m++) feed(detector, m, 1, 'archiver');
  feed(detector, 10, 15, 'archiver');
  assert.deepEqual(detector.insights(), [], 'minute 10 is still running');
  now = (T0 + 11 * 60) * 1000;
  const [opened] = detector.insights();
  assert.equal(opened!.end, undefined);
  assert.equal(opened!.rootCause.name, 'archiver');
  feed(detector, 11, 0, 'none');
  now = (T0 + 12 * 60) * 1000;
  const [closed] = detector.insights();
  assert.equal(closed!.id, opened!.id, 'the id stays as the insight changes');
  assert.equal(closed!.end, T0 + 11 * 60);
  assert.deepEqual(closed!.steps.map((s) => s.kind), ['opened', 'closed']);
});

test('a trace stored again (more segments arrived) is counted once', () => {
  const now = (T0 + 12 * 60) * 1000;
  const detector = new InsightDetector({ now: () => now });
  for (let m = 0; m < 10; m++) feed(detector, m, 1, 'archiver');
  // Minute 10: 20 traces whose fetcher segment arrives first, the archiver's later.
  for (let i = 0; i < 20; i++) {
    const { trace, docs } = timedFetch(T0 + 600 + i, i < 12 ? 'archiver' : 'none');
    observe(detector, trace, buildFilterTrace(docs.slice(0, 1)));
    observe(detector, trace, buildFilterTrace(docs));
  }
  const [insight] = detector.insights();
  assert.deepEqual(insight!.counts, { fault: 12, ok: 8, total: 20 });
  assert.equal(insight!.rootCause.name, 'archiver');
});

test('groups come through InsightGroupSource; each group sees only its traces', () => {
  const now = (T0 + 12 * 60) * 1000;
  const predicate = compileFilter('service("archiver")')!;
  const withArchiver: InsightGroup = { name: 'archived', arn: 'arn:aws:xray:local:000000000000:group/archived/1', filter: predicate };
  const detector = new InsightDetector({ now: () => now, groups: { groups: () => [DEFAULT_GROUP, withArchiver] } });
  for (let m = 0; m < 10; m++) feed(detector, m, 0, 'none');
  feed(detector, 10, 10, 'upstream'); // upstream failures never reach the archiver
  const found = detector.insights();
  assert.deepEqual(found.map((i) => [i.group.name, i.rootCause.name]), [['Default', 'example.test']]);
  assert.equal(detector.group('archived', undefined), withArchiver);
  assert.throws(() => detector.group('nope', undefined), { type: 'InvalidRequestException' });
});
