/**
 * The insight detector's math, pure and clock-free: a group's traces counted into fixed time
 * buckets (by trace start), and a scan over the completed buckets that opens an insight when a
 * bucket's fault rate is well above the baseline of the buckets before it, and closes it when
 * the rate comes back.
 *
 * - baseline: faults / requests over the previous `baselineBuckets` buckets that were not part
 *   of an insight (an ongoing anomaly does not raise its own baseline); it needs at least
 *   `minRequests` requests, so a cold start opens nothing.
 * - opens: a bucket with at least `minRequests` requests and a fault rate
 *   ≥ max(`factor` × baseline, baseline + `minIncrease`).
 * - stays open while later buckets are still at or above that threshold (the baseline is
 *   frozen at opening); a bucket with fewer than `minRequests` requests changes nothing.
 * - closes: the first bucket with at least `minRequests` requests below the threshold.
 *
 * Only counts are kept (three numbers per bucket), so feeding the detector costs next to
 * nothing on the ingest path; the root cause is worked out from the stored traces of the
 * insight's buckets when someone asks (insights.ts).
 */

/** Tunables of the detector. */
export interface DetectorOptions {
  /** Bucket width in seconds. Default 60. */
  bucketSeconds: number;
  /** Buckets before the current one that make its baseline. Default 10. */
  baselineBuckets: number;
  /** The rate must reach this multiple of the baseline… Default 3. */
  factor: number;
  /** …and exceed the baseline by this much (0.10 = 10 percentage points). Default 0.10. */
  minIncrease: number;
  /** Requests a bucket (and a baseline) needs to count. Default 10. */
  minRequests: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = { bucketSeconds: 60, baselineBuckets: 10, factor: 3, minIncrease: 0.1, minRequests: 10 };

/** Request counts (X-Ray's RequestImpactStatistics). */
export interface Counts {
  fault: number;
  ok: number;
  total: number;
}

/** What the detector keeps of one trace. */
export interface TraceFacts {
  /** Trace start, epoch seconds. */
  time: number;
  fault: boolean;
  ok: boolean;
}

/** One bucket's counts. */
export interface Bucket {
  counts: Counts;
}

/** One evaluated bucket of an insight. */
export interface InsightStep {
  /** Bucket start, epoch seconds. */
  time: number;
  kind: 'opened' | 'updated' | 'closed';
  counts: Counts;
  rate: number;
}

/** An insight the scan found. */
export interface DetectedInsight {
  /** Start of its first anomalous bucket (epoch seconds). */
  start: number;
  /** Start of the bucket that closed it; missing while it is active. */
  end?: number;
  /** End of the last bucket that changed it. */
  lastUpdate: number;
  baseline: number;
  threshold: number;
  /** Summed over the anomalous buckets. */
  counts: Counts;
  steps: InsightStep[];
}

const zero = (): Counts => ({ fault: 0, ok: 0, total: 0 });
const addCounts = (to: Counts, c: Counts, sign = 1) => {
  to.fault += sign * c.fault;
  to.ok += sign * c.ok;
  to.total += sign * c.total;
};

/** Bucketed counts of one group. */
export class BucketSeries {
  readonly buckets = new Map<number, Bucket>();
  readonly bucketSeconds: number;
  /** Changes with every add/remove, so a scan result can be cached. */
  version = 0;

  constructor(bucketSeconds: number) {
    this.bucketSeconds = bucketSeconds;
  }

  index(time: number): number {
    return Math.floor(time / this.bucketSeconds);
  }

  /** Counts a trace in (`sign` 1) or out again (`sign` −1, when a newer version replaces it). */
  add(facts: TraceFacts, sign: 1 | -1 = 1): void {
    const i = this.index(facts.time);
    let b = this.buckets.get(i);
    if (!b) this.buckets.set(i, (b = { counts: zero() }));
    addCounts(b.counts, { fault: facts.fault ? 1 : 0, ok: facts.ok ? 1 : 0, total: 1 }, sign);
    this.version++;
  }

  /** Forgets buckets that start before `time`. */
  prune(time: number): void {
    const first = this.index(time);
    for (const i of this.buckets.keys()) if (i < first) this.buckets.delete(i);
  }
}

/** Scans the buckets up to (not including) bucket index `until`, oldest first. */
export function detect(series: BucketSeries, until: number, options: DetectorOptions = DEFAULT_DETECTOR): DetectedInsight[] {
  const keys = [...series.buckets.keys()].filter((i) => i < until);
  if (keys.length === 0) return [];
  const first = Math.min(...keys);
  const width = series.bucketSeconds;
  const anomalous = new Set<number>();
  const out: DetectedInsight[] = [];
  let active: DetectedInsight | undefined;
  for (let i = first; i < until; i++) {
    const b = series.buckets.get(i);
    const counts = b?.counts ?? zero();
    const rate = counts.total > 0 ? counts.fault / counts.total : 0;
    if (active === undefined) {
      const base = zero();
      for (let j = i - options.baselineBuckets; j < i; j++) if (!anomalous.has(j)) addCounts(base, series.buckets.get(j)?.counts ?? zero());
      if (base.total < options.minRequests || counts.total < options.minRequests || !b) continue;
      const baseline = base.fault / base.total;
      const threshold = Math.max(options.factor * baseline, baseline + options.minIncrease);
      if (rate < threshold) continue;
      const insight: DetectedInsight = { start: i * width, lastUpdate: (i + 1) * width, baseline, threshold, counts: zero(), steps: [] };
      active = insight;
      out.push(insight);
      extend(active, b, i, 'opened', rate, width, anomalous);
      continue;
    }
    if (counts.total < options.minRequests || !b) continue;
    if (rate >= active.threshold) {
      extend(active, b, i, 'updated', rate, width, anomalous);
      continue;
    }
    active.steps.push({ time: i * width, kind: 'closed', counts: { ...counts }, rate });
    active.end = i * width;
    active.lastUpdate = (i + 1) * width;
    active = undefined;
  }
  return out;
}

function extend(insight: DetectedInsight, b: Bucket, i: number, kind: 'opened' | 'updated', rate: number, width: number, anomalous: Set<number>): void {
  anomalous.add(i);
  addCounts(insight.counts, b.counts);
  insight.lastUpdate = (i + 1) * width;
  insight.steps.push({ time: i * width, kind, counts: { ...b.counts }, rate });
}
