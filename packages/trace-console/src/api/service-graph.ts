/**
 * The service map (XRAY-REFERENCE §6) aggregated over the stored per-trace graphs: one node
 * per service name (segments), per inferred callee (`remote`), plus `client` nodes upstream
 * of root segments; one edge per caller/callee pair with counts and latency. Rendered both
 * in the console's shape and as X-Ray's `Service[]` (GetServiceGraph, GetTraceGraph).
 */
import type { TraceGraph } from '../store/summary.ts';
import type { ServiceGraphBody } from './contract.ts';

/** Node kind in the console's service graph. */
export type NodeKind = 'service' | 'remote' | 'client';

interface EdgeAcc {
  to: NodeAcc;
  count: number;
  ok: number;
  errors: number;
  throttles: number;
  faults: number;
  latencies: number[];
  start: number;
  end: number;
}

interface NodeAcc {
  name: string;
  kind: NodeKind;
  /** X-Ray node type: `client`, `remote`, the segment's origin, or `service`. */
  type: string;
  root: boolean;
  edges: Map<string, EdgeAcc>;
  /** Calls into the node (its summary statistics, as seen by its callers). */
  incoming: EdgeAcc;
  start: number;
  end: number;
}

/** The aggregated map. */
export interface ServiceGraph {
  nodes: NodeAcc[];
}

/** Aggregates per-trace graphs into one map. */
export function aggregateGraph(traces: Iterable<{ graph: TraceGraph; start: number; end: number }>): ServiceGraph {
  const nodes = new Map<string, NodeAcc>();
  const nodeFor = (name: string, type: string, inferred: boolean, start: number, end: number): NodeAcc => {
    const kind: NodeKind = type === 'client' ? 'client' : inferred ? 'remote' : 'service';
    const key = `${kind}\u0000${name}`;
    let n = nodes.get(key);
    if (n === undefined) {
      n = { name, kind, type, root: false, edges: new Map(), incoming: emptyEdge(undefined as unknown as NodeAcc), start, end };
      nodes.set(key, n);
    }
    n.start = Math.min(n.start, start);
    n.end = Math.max(n.end, end);
    return n;
  };
  for (const { graph, start, end } of traces) {
    const inferred = new Set(graph.nodes.filter((n) => n.inferred).map((n) => `${n.name}\u0000${n.type}`));
    for (const n of graph.nodes) if (n.root) nodeFor(n.name, n.type, n.inferred, start, end).root = true;
    for (const e of graph.edges) {
      const from = nodeFor(e.source, e.sourceType, inferred.has(`${e.source}\u0000${e.sourceType}`), start, end);
      const to = nodeFor(e.destination, e.destinationType, inferred.has(`${e.destination}\u0000${e.destinationType}`), start, end);
      const key = `${to.kind}\u0000${to.name}`;
      let acc = from.edges.get(key);
      if (acc === undefined) from.edges.set(key, (acc = emptyEdge(to)));
      for (const target of [acc, to.incoming]) count(target, e, start, end);
    }
  }
  return { nodes: [...nodes.values()] };
}

function emptyEdge(to: NodeAcc): EdgeAcc {
  return { to, count: 0, ok: 0, errors: 0, throttles: 0, faults: 0, latencies: [], start: Infinity, end: -Infinity };
}

function count(acc: EdgeAcc, e: TraceGraph['edges'][number], start: number, end: number): void {
  acc.count++;
  if (e.ok) acc.ok++;
  if (e.error) acc.errors++;
  if (e.throttle) acc.throttles++;
  if (e.fault) acc.faults++;
  acc.latencies.push(e.responseTime);
  acc.start = Math.min(acc.start, start);
  acc.end = Math.max(acc.end, end);
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The console's shape: `{services: [{name, type, edges: [{to, count, errors, faults, throttles, latency}]}]}` (seconds). */
export function toConsoleGraph(graph: ServiceGraph): ServiceGraphBody {
  return {
    services: graph.nodes.map((n) => ({
      name: n.name,
      type: n.kind,
      edges: [...n.edges.values()].map((e) => {
        const sorted = [...e.latencies].sort((a, b) => a - b);
        return {
          to: e.to.name,
          to_type: e.to.kind,
          count: e.count,
          errors: e.errors,
          faults: e.faults,
          throttles: e.throttles,
          latency: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) },
          start: e.start,
          end: e.end,
        };
      }),
    })),
  };
}

/** X-Ray's `Service[]` (§7.2): ReferenceId, Name, Names, Type, State, Edges with statistics and histograms. */
export function toXRayServices(graph: ServiceGraph): Record<string, unknown>[] {
  const ref = new Map(graph.nodes.map((n, i) => [n, i]));
  return graph.nodes.map((n) => {
    const service: Record<string, unknown> = {
      ReferenceId: ref.get(n),
      Names: n.kind === 'client' ? [] : [n.name],
      Type: n.type,
      State: n.kind === 'service' ? 'active' : 'unknown',
      Root: n.root,
      Edges: [...n.edges.values()].map((e) => ({
        ReferenceId: ref.get(e.to),
        StartTime: e.start,
        EndTime: e.end,
        SummaryStatistics: statistics(e),
        ResponseTimeHistogram: histogram(e.latencies),
        Aliases: [],
      })),
    };
    if (n.kind !== 'client') service.Name = n.name;
    if (Number.isFinite(n.start)) (service.StartTime = n.start), (service.EndTime = n.end);
    if (n.incoming.count > 0) {
      service.SummaryStatistics = statistics(n.incoming);
      service.ResponseTimeHistogram = histogram(n.incoming.latencies);
      service.DurationHistogram = histogram(n.incoming.latencies);
    }
    return service;
  });
}

function statistics(e: EdgeAcc): Record<string, unknown> {
  const errors = e.errors;
  return {
    OkCount: e.ok,
    ErrorStatistics: { ThrottleCount: e.throttles, OtherCount: errors - e.throttles, TotalCount: errors },
    FaultStatistics: { OtherCount: e.faults, TotalCount: e.faults },
    TotalCount: e.count,
    TotalResponseTime: round(e.latencies.reduce((a, b) => a + b, 0)),
  };
}

/** Latencies bucketed to the millisecond, as X-Ray's `Histogram` of `{Value, Count}`. */
export function histogram(latencies: number[]): { Value: number; Count: number }[] {
  const buckets = new Map<number, number>();
  for (const l of latencies) {
    const v = round(l);
    buckets.set(v, (buckets.get(v) ?? 0) + 1);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([Value, Count]) => ({ Value, Count }));
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
