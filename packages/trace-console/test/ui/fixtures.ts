/**
 * Canned data in the console API's shapes (DESIGN.md, trace-console rows) for the UI's
 * browser tests: fetcher → upstream / archiver → store traces like the real services send,
 * a trace of any number of spans, and summaries built the way the store builds them.
 */
import type { DiagnosticsBody, ServiceGraphBody, TraceSummary } from '../../src/api/contract.ts';
import { buildFilterTrace, type FilterTrace } from '../../src/model/index.ts';
import { fixes } from '../../src/ingest/validate.ts';

type Doc = Record<string, any>;

let counter = 0;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);
/** A fresh 16-hex id. */
export const newId = () => hex(++counter, 8) + hex(Math.floor(Math.random() * 0xffffffff), 8);
/** A trace id whose first 8 hex digits are `epoch` seconds. */
export const traceId = (epoch: number) => `1-${hex(Math.floor(epoch), 8)}-${hex(++counter, 12)}${hex(Math.floor(Math.random() * 0xffffffff), 12)}`;

/** One fetch of `path` from the upstream site: the documents fetcher and archiver send. */
export function fetchTrace(start: number, upstreamStatus: number, path = `/${upstreamStatus}`, scale = 1): Doc[] {
  const id = traceId(start);
  const fetcherId = newId();
  const archiverCall = newId();
  const upstream = `http://127.0.0.1:41000${path}`;
  const flags = (s: number) => ({ ...(s >= 400 && s < 500 ? { error: true } : {}), ...(s === 429 ? { throttle: true } : {}), ...(s >= 500 ? { fault: true } : {}) });
  const fetcher: Doc = {
    name: 'fetcher',
    id: fetcherId,
    trace_id: id,
    start_time: start,
    end_time: start + 0.05,
    http: { request: { method: 'GET', url: `http://127.0.0.1:8081/fetch/${upstream}` }, response: { status: 200 } },
    annotations: { remote_url: upstream, remote_status: upstreamStatus },
    subsegments: [
      { name: '127.0.0.1', id: newId(), start_time: start + 0.002, end_time: start + 0.02, namespace: 'remote', http: { request: { method: 'GET', url: upstream }, response: { status: upstreamStatus } }, ...flags(upstreamStatus) },
      { name: 'archiver', id: archiverCall, start_time: start + 0.021, end_time: start + 0.048, namespace: 'remote', http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive', traced: true }, response: { status: 201 } } },
    ],
  };
  const archiver: Doc = {
    name: 'archiver',
    id: newId(),
    trace_id: id,
    parent_id: archiverCall,
    start_time: start + 0.023,
    end_time: start + 0.046,
    http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive' }, response: { status: 201 } },
    subsegments: [{ name: 'store', id: newId(), start_time: start + 0.025, end_time: start + 0.044, sql: { database_type: 'sqlite', sanitized_query: 'INSERT INTO archive VALUES (?)' }, metadata: { default: { bytes: 1234 } } }],
  };
  if (scale !== 1) for (const d of [fetcher, archiver, ...fetcher.subsegments, ...archiver.subsegments]) (d.start_time = start + (d.start_time - start) * scale), (d.end_time = start + (d.end_time - start) * scale);
  if (upstreamStatus >= 500) fetcher.subsegments[0].cause = { exceptions: [{ id: newId(), type: 'UpstreamError', message: `upstream answered ${upstreamStatus}`, remote: true, stack: [{ path: 'src/fetcher/upstream.ts', line: 42, label: 'get' }] }] };
  return [fetcher, archiver];
}

/** A trace of `spans` entities: a fetcher segment with nested local work, plus an archiver segment. */
export function bigTrace(start: number, spans: number): Doc[] {
  const docs = fetchTrace(start, 200, '/text');
  const fetcher = docs[0];
  const total = 0.05;
  let made = 5;
  const groups = Math.max(1, Math.ceil((spans - made) / 50));
  for (let g = 0; g < groups && made < spans; g++) {
    const gs = start + (g / groups) * total;
    const ge = gs + total / groups;
    const children: Doc[] = [];
    const group: Doc = { name: `step-${g}`, id: newId(), start_time: gs, end_time: ge, subsegments: children };
    made++;
    for (let c = 0; c < 49 && made < spans; c++, made++) {
      const cs = gs + (c / 49) * (ge - gs);
      children.push({ name: `work-${g}-${c}`, id: newId(), start_time: cs, end_time: cs + (ge - gs) / 60, annotations: { step: g, item: c }, ...(c === 7 ? { error: true } : {}) });
    }
    fetcher.subsegments.push(group);
  }
  return docs;
}

/** The `/api/traces` row of a trace, derived like the store derives it. */
export function summarize(docs: Doc[]): { summary: TraceSummary; model: FilterTrace } {
  const model = buildFilterTrace(docs);
  const summary: TraceSummary = {
    id: model.id,
    duration: model.duration,
    response_time: model.responseTime,
    method: model.http.method ?? null,
    url: model.http.url ?? null,
    status: model.http.status ?? null,
    services: [...new Set(model.services.filter((s) => s.type !== 'client' && !s.inferred).map((s) => s.name))],
    ok: model.ok,
    error: model.error,
    fault: model.fault,
    throttle: model.throttle,
    partial: model.partial,
    annotations: model.annotations,
    start_time: model.startTime,
  };
  return { summary, model };
}

const now = Date.now() / 1000;
/** The calls' time span of a canned edge: the last ten minutes. */
const span = { start: now - 600, end: now };

/** A canned service graph: client → fetcher → archiver → store, fetcher → 127.0.0.1. */
export const serviceGraph: ServiceGraphBody = {
  services: [
    { name: 'client', type: 'client', edges: [{ to: 'fetcher', to_type: 'service', count: 120, errors: 0, faults: 0, throttles: 0, latency: { p50: 0.05, p90: 0.09, p99: 0.2 }, ...span }] },
    {
      name: 'fetcher',
      type: 'service',
      edges: [
        { to: 'archiver', to_type: 'service', count: 120, errors: 0, faults: 2, throttles: 0, latency: { p50: 0.02, p90: 0.03, p99: 0.05 }, ...span },
        { to: '127.0.0.1', to_type: 'remote', count: 120, errors: 30, faults: 20, throttles: 10, latency: { p50: 0.015, p90: 0.04, p99: 0.1 }, ...span },
      ],
    },
    { name: 'archiver', type: 'service', edges: [] },
    { name: '127.0.0.1', type: 'remote', edges: [] },
  ],
};

/** A canned diagnostics answer with one malformed datagram. */
export const diagnostics: DiagnosticsBody = {
  senders: [
    {
      sender: 'udp 127.0.0.1:50123',
      received: 12,
      accepted: 11,
      services: ['fetcher'],
      counts: { malformed: 1, oversized: 0 },
      problems: { malformed: { count: 1, sample: '{"format":"json","version":1}\nnot json', detail: 'the document is not JSON', fix: 'Send a JSON header line, a newline, then one JSON segment document.', last_at: new Date().toISOString() } },
      first_seen: new Date(Date.now() - 60_000).toISOString(),
      last_seen: new Date().toISOString(),
      per_minute: 12,
    },
  ],
  store: { traces: 0, documents: 0, queued: 0, dropped: 0, committed: 0, pruned: 0, writeErrors: 0, lastWriteError: null },
  fixes,
};
