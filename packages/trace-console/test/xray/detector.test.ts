/** The insight detector's math over hand-made buckets (trace facts at chosen times). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketSeries, DEFAULT_DETECTOR, detect, type TraceFacts } from '../../src/xray/detector.ts';

/** `total` traces in minute `minute`, `faults` of them faulting. */
function fill(series: BucketSeries, minute: number, total: number, faults: number): void {
  for (let i = 0; i < total; i++) {
    const fault = i < faults;
    const facts: TraceFacts = { time: minute * 60 + (i % 60), fault, ok: !fault };
    series.add(facts);
  }
}

test('a bucket at 3x the baseline and +10 pp opens an insight; the next normal bucket closes it', () => {
  const s = new BucketSeries(60);
  for (let m = 0; m < 10; m++) fill(s, m, 20, 1); // 5 % baseline
  fill(s, 10, 20, 8); // 40 % ≥ max(15 %, 15 %)
  fill(s, 11, 20, 1);
  const [insight, ...rest] = detect(s, 12);
  assert.equal(rest.length, 0);
  assert.equal(insight!.start, 600);
  assert.equal(insight!.end, 660);
  assert.ok(Math.abs(insight!.baseline - 0.05) < 1e-9);
  assert.ok(Math.abs(insight!.threshold - 0.15) < 1e-9);
  assert.deepEqual(insight!.counts, { fault: 8, ok: 12, total: 20 });
  assert.deepEqual(insight!.steps.map((x) => x.kind), ['opened', 'closed']);
});

test('the absolute floor: from a 0 % baseline it takes 10 pp, and 3x rules above a 5 % baseline', () => {
  const low = new BucketSeries(60);
  for (let m = 0; m < 10; m++) fill(low, m, 20, 0);
  fill(low, 10, 20, 1); // 5 %: 3x of 0 but not +10 pp
  assert.deepEqual(detect(low, 11), []);
  fill(low, 11, 20, 3); // 15 % ≥ 0.5 % + 10 pp (bucket 10 is in this baseline)
  assert.equal(detect(low, 12).length, 1);
  const high = new BucketSeries(60);
  for (let m = 0; m < 10; m++) fill(high, m, 100, 10); // 10 %
  fill(high, 10, 100, 29); // 29 % < 30 %
  assert.deepEqual(detect(high, 11), []);
  fill(high, 11, 100, 36); // baseline now 11.9 % (bucket 10 joined it): 3x = 35.7 %
  assert.equal(detect(high, 12)[0]!.start, 660);
});

test('an open insight stays ACTIVE through buckets still above the frozen threshold and quiet buckets', () => {
  const s = new BucketSeries(60);
  for (let m = 0; m < 10; m++) fill(s, m, 20, 1);
  fill(s, 10, 20, 10);
  fill(s, 11, 20, 15);
  fill(s, 12, 3, 0); // too few requests to judge
  const [insight] = detect(s, 14);
  assert.equal(insight!.end, undefined);
  assert.deepEqual(insight!.steps.map((x) => x.kind), ['opened', 'updated']);
  assert.deepEqual(insight!.counts, { fault: 25, ok: 15, total: 40 });
});

test('too few requests, a cold start, or an incomplete bucket open nothing; anomalous buckets stay out of later baselines', () => {
  const s = new BucketSeries(60);
  fill(s, 0, 20, 19); // no baseline yet
  for (let m = 1; m < 11; m++) fill(s, m, 20, 1);
  fill(s, 11, 5, 5); // below minRequests
  assert.deepEqual(detect(s, 12), []);
  fill(s, 12, 20, 10);
  assert.deepEqual(detect(s, 12), [], 'bucket 12 is not complete before index 13');
  fill(s, 13, 20, 10);
  fill(s, 14, 20, 1);
  fill(s, 15, 20, 10); // its baseline leaves 12 and 13 out, so this opens again
  const found = detect(s, 16);
  assert.deepEqual(found.map((i) => [i.start, i.end]), [[720, 840], [900, undefined]]);
  // Buckets 5–11 and 14: 6 + 5 + 1 faults in 145 requests; 12 and 13 (the first insight) are left out.
  assert.ok(Math.abs(found[1]!.baseline - 12 / 145) < 1e-9);
});

test('counting a trace out again (a newer version replaced it) undoes it; parameters are configurable', () => {
  const s = new BucketSeries(30);
  const facts: TraceFacts = { time: 45, fault: true, ok: false };
  s.add(facts);
  s.add(facts, -1);
  assert.deepEqual(s.buckets.get(1)!.counts, { fault: 0, ok: 0, total: 0 });
  for (let m = 0; m < 3; m++) fill(s, m, 4, 0);
  const strict = { ...DEFAULT_DETECTOR, baselineBuckets: 3, minRequests: 4 };
  const t = new BucketSeries(60);
  for (let m = 0; m < 3; m++) fill(t, m, 4, 0);
  fill(t, 3, 4, 1);
  assert.equal(detect(t, 4, strict).length, 1);
  assert.equal(detect(t, 4).length, 0, 'the default needs 10 requests per bucket');
});
