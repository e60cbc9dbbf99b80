/**
 * A trace's summary row: the filter model (FilterTrace) flattened into the `traces` table's
 * columns, and back into the shapes the console API shows.
 */
import type { FilterAnnotations, FilterTrace } from '../model/index.ts';
import type { TraceSummary } from '../api/contract.ts';

/** One node of a trace's graph as the summary row keeps it (for service maps without re-reading documents). */
export interface GraphNode {
  name: string;
  type: string;
  inferred: boolean;
  root: boolean;
  ok: boolean;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  /** Seconds. */
  responseTime: number;
}

/** One call between two nodes of a trace. */
export interface GraphEdge {
  source: string;
  sourceType: string;
  destination: string;
  destinationType: string;
  ok: boolean;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  /** Seconds. */
  responseTime: number;
}

/** A trace's graph as stored in the `graph` column. */
export interface TraceGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** A `traces` row as read back (JSON columns parsed). */
export interface TraceRow {
  id: string;
  start_time: number;
  end_time: number;
  duration: number;
  response_time: number;
  http_method: string | null;
  http_url: string | null;
  http_status: number | null;
  ok: 0 | 1;
  error: 0 | 1;
  fault: 0 | 1;
  throttle: 0 | 1;
  partial: 0 | 1;
  /** Names of the services that sent segments. */
  services: string[];
  annotations: FilterAnnotations;
  documents: number;
  revision: number;
  /** Epoch milliseconds of the last document received. */
  updated_at: number;
}

/** The row as stored (JSON columns as text). */
export type RawTraceRow = Omit<TraceRow, 'services' | 'annotations'> & { services: string; annotations: string; graph?: string };

/** The column values of a trace's summary row, in the store's INSERT order. */
export function summaryValues(trace: FilterTrace): Array<string | number | null> {
  const graph: TraceGraph = {
    nodes: trace.services.map((n) => ({ name: n.name, type: n.type, inferred: n.inferred, root: n.root, ok: n.ok, error: n.error, fault: n.fault, throttle: n.throttle, responseTime: n.responseTime })),
    edges: trace.edges.map((e) => ({ source: e.source, sourceType: e.sourceType, destination: e.destination, destinationType: e.destinationType, ok: e.ok, error: e.error, fault: e.fault, throttle: e.throttle, responseTime: e.responseTime })),
  };
  const services = [...new Set(trace.services.filter((n) => !n.inferred).map((n) => n.name))];
  return [
    trace.startTime,
    trace.startTime + trace.duration,
    trace.duration,
    trace.responseTime,
    trace.http.method ?? null,
    trace.http.url ?? null,
    trace.http.status ?? null,
    bit(trace.ok),
    bit(trace.error),
    bit(trace.fault),
    bit(trace.throttle),
    bit(trace.partial),
    JSON.stringify(services),
    JSON.stringify(trace.annotations),
    JSON.stringify(graph),
  ];
}

/** The row `summaryValues` describes, without reading it back. */
export function rowOf(id: string, values: Array<string | number | null>, documents: number, revision: number, updatedAt: number): TraceRow {
  const [start_time, end_time, duration, response_time, http_method, http_url, http_status, ok, error, fault, throttle, partial, services, annotations] = values;
  return {
    id,
    start_time: start_time as number,
    end_time: end_time as number,
    duration: duration as number,
    response_time: response_time as number,
    http_method: http_method as string | null,
    http_url: http_url as string | null,
    http_status: http_status as number | null,
    ok: ok as 0 | 1,
    error: error as 0 | 1,
    fault: fault as 0 | 1,
    throttle: throttle as 0 | 1,
    partial: partial as 0 | 1,
    services: JSON.parse(services as string),
    annotations: JSON.parse(annotations as string),
    documents,
    revision,
    updated_at: updatedAt,
  };
}

/** Parses the JSON columns of a stored row. */
export function parseRow(raw: RawTraceRow): TraceRow {
  const { graph: _graph, ...rest } = raw;
  return { ...rest, services: JSON.parse(raw.services), annotations: JSON.parse(raw.annotations) };
}

/** A row as `GET /api/traces` lists it (DESIGN.md: `{id, duration, method, url, status, services, error, fault, throttle, annotations, start_time}`). */
export function toApiSummary(row: TraceRow): TraceSummary {
  return {
    id: row.id,
    duration: row.duration,
    response_time: row.response_time,
    method: row.http_method,
    url: row.http_url,
    status: row.http_status,
    services: row.services,
    ok: row.ok === 1,
    error: row.error === 1,
    fault: row.fault === 1,
    throttle: row.throttle === 1,
    partial: row.partial === 1,
    annotations: row.annotations,
    start_time: row.start_time,
  };
}

function bit(v: boolean): 0 | 1 {
  return v ? 1 : 0;
}
