/**
 * X-Ray insights from the detector (detector.ts) fed with every stored trace: per group, a
 * fault rate well above its recent baseline opens an insight naming the root-cause service;
 * it closes when the rate comes back. Operations GetInsightSummaries, GetInsight,
 * GetInsightEvents and GetInsightImpactGraph in AWS's shapes (category FAULT, states
 * ACTIVE/CLOSED).
 *
 * Groups come through `InsightGroupSource`: without one, the detector watches X-Ray's
 * `Default` group (every trace). A group counts the traces stored after it appeared, as in
 * X-Ray. Counts are kept 24 hours.
 */
import { createHash } from 'node:crypto';
import { compileQuery } from '../api/query.ts';
import { aggregateGraph, toXRayServices } from '../api/service-graph.ts';
import type { TracePredicate } from '../filter/index.ts';
import type { FilterTrace } from '../model/index.ts';
import type { TraceStoreApi } from '../store/store.ts';
import type { TraceRow } from '../store/summary.ts';
import { BucketSeries, DEFAULT_DETECTOR, detect, type Counts, type DetectedInsight, type DetectorOptions, type TraceFacts } from './detector.ts';
import { integer, invalid, nextToken, notFound, pageOffset, text, window, type Body, type Operation, type OperationContext } from './params.ts';

/** A group the detector watches. */
export interface InsightGroup {
  name: string;
  arn: string;
  /** The group's filter expression, compiled; null for a group of every trace (Default). */
  filter: TracePredicate | null;
}

/** Where the groups come from (the group store fills this; the default is just `Default`). */
export interface InsightGroupSource {
  /** Groups with insights enabled, `Default` included. */
  groups(): InsightGroup[];
}

export const DEFAULT_GROUP: InsightGroup = { name: 'Default', arn: 'arn:aws:xray:local:000000000000:group/Default', filter: null };
export const defaultGroups: InsightGroupSource = { groups: () => [DEFAULT_GROUP] };

/** Options of the insight detector. */
export interface InsightOptions {
  detector?: Partial<DetectorOptions>;
  groups?: InsightGroupSource;
  /** Clock (epoch ms), for tests: only buckets that ended by now are evaluated. */
  now?: () => number;
  /** Traces whose counts can still be replaced by a newer version. Default 100 000. */
  maxTracked?: number;
  /** How long bucket counts stay (seconds). Default 24 h. */
  keepSeconds?: number;
}

/** An insight as the operations serve it. */
export interface Insight extends DetectedInsight {
  id: string;
  group: InsightGroup;
}

/** A service as X-Ray's ServiceId names it. */
export interface ServiceKey {
  name: string;
  type: string;
  accountId?: string;
}

/** An insight's root cause, worked out from its faulting traces. */
export interface RootCause {
  /** The service most often at the deepest fault; `unknown` when no faulting trace is left. */
  service: ServiceKey;
  /** Root-cause services, most often named first (at most 5). */
  top: ServiceKey[];
  /** Faulting traces read (at most MAX_CAUSE_TRACES, newest first). */
  traces: number;
}

/** The store's SQL prefilter for faulting traces. */
const FAULTING = compileQuery('fault');

/** Faulting traces an insight's root cause is worked out from, at most. */
export const MAX_CAUSE_TRACES = 2000;

const serviceKey = (s: ServiceKey): string => JSON.stringify([s.name, s.type, s.accountId ?? '']);

/** What the detector reads of a stored trace's summary row. */
export type RowFacts = Pick<TraceRow, 'start_time' | 'fault' | 'ok'>;

/**
 * Per-group bucket counts fed from the store, and the insights found in them. The summary row
 * is all the Default group needs; the trace's filter model is read only when a group with a
 * filter expression has to be matched.
 */
export class InsightDetector {
  readonly options: DetectorOptions;
  readonly #source: InsightGroupSource;
  readonly #now: () => number;
  readonly #series = new Map<string, BucketSeries>();
  /** Trace id → what it was counted as, per group (so an updated trace is counted once). */
  readonly #counted = new Map<string, { facts: TraceFacts; groups: string[] }>();
  readonly #maxTracked: number;
  readonly #keepSeconds: number;
  #cache = new Map<string, { version: number; until: number; insights: Insight[] }>();

  constructor(options: InsightOptions = {}) {
    this.options = { ...DEFAULT_DETECTOR, ...options.detector };
    this.#source = options.groups ?? defaultGroups;
    this.#now = options.now ?? Date.now;
    this.#maxTracked = options.maxTracked ?? 100_000;
    this.#keepSeconds = options.keepSeconds ?? 24 * 3600;
  }

  /** Counts one trace (again: a previous version of it is counted out first). */
  observe(id: string, row: RowFacts, model: () => FilterTrace | undefined): void {
    const previous = this.#counted.get(id);
    if (previous) {
      for (const g of previous.groups) this.#series.get(g)?.add(previous.facts, -1);
      this.#counted.delete(id);
    }
    const groups = this.#source.groups();
    const trace = groups.some((g) => g.filter !== null) ? model() : undefined;
    const facts: TraceFacts = { time: row.start_time, fault: row.fault === 1, ok: row.ok === 1 };
    const names = groups.filter((g) => g.filter === null || (trace !== undefined && g.filter(trace))).map((g) => g.name);
    for (const g of names) {
      const series = this.#seriesOf(g);
      series.add(facts);
      // Bounded without a query: buckets older than keepSeconds go once there are more than that.
      if (series.buckets.size > this.#keepSeconds / series.bucketSeconds + 1) series.prune(this.#now() / 1000 - this.#keepSeconds);
    }
    this.#counted.set(id, { facts, groups: names });
    if (this.#counted.size > this.#maxTracked) this.#counted.delete(this.#counted.keys().next().value!);
  }

  /** Every insight of every group, newest first. */
  insights(): Insight[] {
    const nowSeconds = this.#now() / 1000;
    const out: Insight[] = [];
    for (const group of this.#source.groups()) {
      const series = this.#seriesOf(group.name);
      series.prune(nowSeconds - this.#keepSeconds);
      const until = series.index(nowSeconds); // the current bucket is not complete yet
      const cached = this.#cache.get(group.name);
      if (cached && cached.version === series.version && cached.until === until) {
        out.push(...cached.insights);
        continue;
      }
      const insights = detect(series, until, this.options).map((d) => ({ ...d, group, id: insightId(group.name, d.start) }));
      this.#cache.set(group.name, { version: series.version, until, insights });
      out.push(...insights);
    }
    return out.sort((a, b) => b.start - a.start);
  }

  get(id: string): Insight {
    const found = this.insights().find((i) => i.id === id);
    if (!found) throw notFound(`no insight with id ${id}`);
    return found;
  }

  /** The group a GetInsightSummaries names, or X-Ray's InvalidRequestException. */
  group(name: string | undefined, arn: string | undefined): InsightGroup | undefined {
    if (name === undefined && arn === undefined) return undefined;
    const g = this.#source.groups().find((x) => (name === undefined || x.name === name) && (arn === undefined || x.arn === arn));
    if (!g) throw invalid('Group not found');
    return g;
  }

  #seriesOf(name: string): BucketSeries {
    let s = this.#series.get(name);
    if (!s) this.#series.set(name, (s = new BucketSeries(this.options.bucketSeconds)));
    return s;
  }
}

/** The distinct services a faulting trace's fault root causes name. */
export function rootCausesOf(trace: FilterTrace): ServiceKey[] {
  const seen = new Map<string, ServiceKey>();
  for (const rc of trace.faultRootCauses ?? []) {
    const s = { name: rc.service.name, type: rc.service.type, ...(rc.service.accountId ? { accountId: rc.service.accountId } : {}) };
    seen.set(serviceKey(s), s);
  }
  return [...seen.values()];
}

/**
 * The root cause of an insight: over the faulting traces of the group in its anomalous buckets,
 * the service their fault root causes (the deepest faulted entity, filter/rootcauses.ts) name
 * most often; ties go to the name that sorts first.
 */
export function findRootCause(store: TraceStoreApi, insight: Insight, bucketSeconds: number): RootCause {
  const counts = new Map<string, { service: ServiceKey; n: number }>();
  let traces = 0;
  for (const step of insight.steps) {
    if (step.kind === 'closed') continue;
    const it = store.list({ since: step.time, until: step.time + bucketSeconds, prefilter: FAULTING.prefilter });
    try {
      for (const row of it) {
        if (traces >= MAX_CAUSE_TRACES) break;
        if (row.fault !== 1 || row.start_time >= step.time + bucketSeconds) continue;
        const trace = store.filterTrace(row.id);
        if (trace === undefined || (insight.group.filter !== null && !insight.group.filter(trace))) continue;
        traces++;
        for (const s of rootCausesOf(trace)) {
          const c = counts.get(serviceKey(s)) ?? { service: s, n: 0 };
          c.n++;
          counts.set(serviceKey(s), c);
        }
      }
    } finally {
      it.return(undefined);
    }
  }
  const ranked = [...counts.values()].sort((a, b) => b.n - a.n || (a.service.name < b.service.name ? -1 : a.service.name > b.service.name ? 1 : 0));
  return { service: ranked[0]?.service ?? { name: 'unknown', type: 'unknown' }, top: ranked.slice(0, 5).map((c) => c.service), traces };
}

/** The group's stored trace graphs that start in [from, to). */
function groupGraphs(store: TraceStoreApi, group: InsightGroup, from: number, to: number): ReturnType<TraceStoreApi['graphs']> {
  return store.graphs(from, to).filter((g) => {
    if (g.start < from || g.start >= to) return false;
    if (group.filter === null) return true;
    const trace = store.filterTrace(g.id);
    return trace !== undefined && group.filter(trace);
  });
}

/** A service's own request counts over the group's traces in [from, to) (X-Ray's RootCauseServiceRequestImpactStatistics). */
function serviceCounts(store: TraceStoreApi, group: InsightGroup, from: number, to: number, service: ServiceKey): Counts {
  const c: Counts = { fault: 0, ok: 0, total: 0 };
  for (const g of groupGraphs(store, group, from, to)) {
    const node = g.graph.nodes.find((n) => n.name === service.name && n.type === service.type);
    if (!node) continue;
    c.total++;
    if (node.fault) c.fault++;
    if (node.ok) c.ok++;
  }
  return c;
}

/** A stable id (UUID-shaped) for the insight of `group` that opened at `start`. */
function insightId(group: string, start: number): string {
  const h = createHash('sha256').update(`${group}\n${start}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const serviceId = (s: ServiceKey) => ({ Name: s.name, Names: [s.name], Type: s.type, ...(s.accountId ? { AccountId: s.accountId } : {}) });
const stats = (c: Counts) => ({ FaultCount: c.fault, OkCount: c.ok, TotalCount: c.total });
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function summaryText(i: Insight, cause: RootCause): string {
  const rate = i.counts.total > 0 ? i.counts.fault / i.counts.total : 0;
  return `Fault rate of group ${i.group.name} rose to ${pct(rate)} (${i.counts.fault} of ${i.counts.total} requests; baseline ${pct(i.baseline)}), caused by faults in ${cause.service.name}`;
}

function toInsight(i: Insight, cause: RootCause, rootCauseCounts: Counts): Record<string, unknown> {
  return {
    InsightId: i.id,
    GroupARN: i.group.arn,
    GroupName: i.group.name,
    RootCauseServiceId: serviceId(cause.service),
    Categories: ['FAULT'],
    State: i.end === undefined ? 'ACTIVE' : 'CLOSED',
    StartTime: i.start,
    ...(i.end !== undefined ? { EndTime: i.end } : {}),
    Summary: summaryText(i, cause),
    ClientRequestImpactStatistics: stats(i.counts),
    RootCauseServiceRequestImpactStatistics: stats(rootCauseCounts),
    TopAnomalousServices: cause.top.map((s) => ({ ServiceId: serviceId(s) })),
  };
}

/** The insight operations; the detector subscribes to the store until the app closes. */
export function insightOperations(context: OperationContext, options?: InsightOptions): Operation[] {
  const detector = new InsightDetector(options);
  const { store } = context;
  context.onClose(store.onTrace((row) => detector.observe(row.id, row, () => store.filterTrace(row.id))));
  const width = detector.options.bucketSeconds;
  // Worked out when asked for, and kept while the insight does not change.
  const causes = new Map<string, { steps: number; total: number; cause: RootCause }>();
  const causeOf = (i: Insight): RootCause => {
    const hit = causes.get(i.id);
    if (hit && hit.steps === i.steps.length && hit.total === i.counts.total) return hit.cause;
    const cause = findRootCause(store, i, width);
    if (causes.size >= 1000) causes.delete(causes.keys().next().value!);
    causes.set(i.id, { steps: i.steps.length, total: i.counts.total, cause });
    return cause;
  };
  // The root cause's own requests over the insight's anomalous buckets.
  const rootCauseCounts = (i: Insight, service: ServiceKey): Counts => {
    const c: Counts = { fault: 0, ok: 0, total: 0 };
    for (const step of i.steps) {
      if (step.kind === 'closed') continue;
      const b = serviceCounts(store, i.group, step.time, step.time + width, service);
      c.fault += b.fault;
      c.ok += b.ok;
      c.total += b.total;
    }
    return c;
  };
  const full = (i: Insight) => {
    const cause = causeOf(i);
    return toInsight(i, cause, rootCauseCounts(i, cause.service));
  };
  const id = (body: Body) => text(body.InsightId, 'InsightId', 1, 64);
  return [
    {
      path: '/InsightSummaries',
      name: 'GetInsightSummaries',
      handler: (body) => {
        const { start, end } = window(body);
        const states = body.States;
        if (states !== undefined && (!Array.isArray(states) || states.length > 1 || !states.every((s) => s === 'ACTIVE' || s === 'CLOSED'))) {
          throw invalid('States must hold at most one of ACTIVE, CLOSED');
        }
        const group = detector.group(optionalText(body.GroupName, 'GroupName', 1, 32), optionalText(body.GroupARN, 'GroupARN', 1, 400));
        const max = integer(body.MaxResults, 'MaxResults', 1, 100) ?? 100;
        const all = detector
          .insights()
          .filter((i) => (group === undefined || i.group.name === group.name) && i.start <= end && (i.end ?? Infinity) >= start)
          .filter((i) => states === undefined || (states as string[]).length === 0 || (states as string[]).includes(i.end === undefined ? 'ACTIVE' : 'CLOSED'));
        const offset = pageOffset(body.NextToken);
        const page = all.slice(offset, offset + max);
        return { InsightSummaries: page.map((i) => ({ ...full(i), LastUpdateTime: i.lastUpdate })), ...nextToken(offset + page.length, all.length) };
      },
    },
    {
      path: '/Insight',
      name: 'GetInsight',
      handler: (body) => ({ Insight: full(detector.get(id(body))) }),
    },
    {
      path: '/InsightEvents',
      name: 'GetInsightEvents',
      handler: (body) => {
        const insight = detector.get(id(body));
        const max = integer(body.MaxResults, 'MaxResults', 1, 50) ?? 50;
        const cause = causeOf(insight);
        const events = insight.steps.map((s) => ({
          Summary:
            s.kind === 'closed'
              ? `Fault rate back to ${pct(s.rate)} (${s.counts.fault} of ${s.counts.total} requests), below ${pct(insight.threshold)}`
              : `Fault rate ${pct(s.rate)} (${s.counts.fault} of ${s.counts.total} requests) against a baseline of ${pct(insight.baseline)}; root cause ${cause.service.name}`,
          EventTime: s.time + width,
          ClientRequestImpactStatistics: stats(s.counts),
          RootCauseServiceRequestImpactStatistics: stats(serviceCounts(store, insight.group, s.time, s.time + width, cause.service)),
          TopAnomalousServices: cause.top.map((t) => ({ ServiceId: serviceId(t) })),
        }));
        const offset = pageOffset(body.NextToken);
        const page = events.slice(offset, offset + max);
        return { InsightEvents: page, ...nextToken(offset + page.length, events.length) };
      },
    },
    {
      path: '/InsightImpactGraph',
      name: 'GetInsightImpactGraph',
      handler: (body) => {
        const insight = detector.get(id(body));
        const { start, end } = window(body);
        if (body.NextToken !== undefined && body.NextToken !== '') pageOffset(body.NextToken);
        const services = toXRayServices(aggregateGraph(groupGraphs(store, insight.group, start, end))).map((s) => ({
          ReferenceId: s.ReferenceId,
          Type: s.Type,
          ...(s.Name !== undefined ? { Name: s.Name } : {}),
          Names: s.Names,
          Edges: (s.Edges as { ReferenceId: number }[]).map((e) => ({ ReferenceId: e.ReferenceId })),
        }));
        return { InsightId: insight.id, StartTime: start, EndTime: end, ServiceGraphStartTime: start, ServiceGraphEndTime: end, Services: services };
      },
    },
  ];
}

function optionalText(value: unknown, name: string, min: number, max: number): string | undefined {
  return value === undefined || value === null ? undefined : text(value, name, min, max);
}
