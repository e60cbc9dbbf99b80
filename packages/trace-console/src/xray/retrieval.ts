/**
 * Trace retrieval (X-Ray's Transaction Search API): StartTraceRetrieval hands out a
 * RetrievalToken; the retrieval runs a second later, off the request (SCHEDULED → RUNNING →
 * COMPLETE, or CANCELLED by CancelTraceRetrieval before it completed), so clients poll as they
 * do against AWS. ListRetrievedTraces pages its traces in `XRAY` form (the processed segment
 * documents BatchGetTraces returns) or `OTEL` form (one OTLP/JSON document per span, otel.ts);
 * GetRetrievedTracesGraph gives their service graph. Retrievals are kept for 60 minutes
 * (AWS's retrieval timeout), at most 1000 of them.
 */
import { randomBytes } from 'node:crypto';
import { aggregateGraph, toXRayServices } from '../api/service-graph.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { obj, str } from '../model/graph.ts';
import { toOtelSpans } from './otel.ts';
import { invalid, nextToken, notFound, pageOffset, text, throttled, window, xrayTraceId, type Body, type Operation, type OperationContext } from './params.ts';
import { processedSegments } from './processed.ts';

/** RetrievalStatus values X-Ray uses (FAILED and TIMEOUT never happen locally: the store answers at once). */
export type RetrievalStatus = 'SCHEDULED' | 'RUNNING' | 'COMPLETE' | 'CANCELLED' | 'FAILED' | 'TIMEOUT';

/** A trace the retrieval found; its documents are read from the store when listed, so a retrieval holds ids only. */
interface RetrievedTrace {
  id: string;
  duration: number;
}

interface Retrieval {
  status: RetrievalStatus;
  traceIds: string[];
  start: number;
  end: number;
  created: number;
  traces: RetrievedTrace[];
}

/** Limits of the retrieval store. */
export interface RetrievalOptions {
  /** Retrievals remembered (oldest finished ones forgotten first). Default 1000. */
  maxRetrievals?: number;
  /** How long a retrieval's results stay (ms). Default 60 minutes. */
  keepMs?: number;
  /** How long a retrieval stays SCHEDULED before it runs (ms), as X-Ray's asynchronous ones do; clients poll. Default 1000. */
  scheduleMs?: number;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
}

const MAX_TRACE_IDS = 100;
/** Traces per ListRetrievedTraces page. */
const PAGE_TRACES = 20;
/** Services per GetRetrievedTracesGraph page. */
const PAGE_SERVICES = 100;

/** The retrievals of one console. */
export class RetrievalStore {
  readonly #store: TraceStoreApi;
  readonly #byToken = new Map<string, Retrieval>();
  readonly #max: number;
  readonly #keepMs: number;
  readonly #now: () => number;
  readonly #scheduleMs: number;

  constructor(store: TraceStoreApi, options: RetrievalOptions = {}) {
    this.#store = store;
    this.#max = options.maxRetrievals ?? 1000;
    this.#keepMs = options.keepMs ?? 60 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#scheduleMs = options.scheduleMs ?? 1000;
  }

  /** Starts a retrieval; it runs `scheduleMs` later. */
  start(traceIds: string[], start: number, end: number): string {
    this.#expire();
    if (this.#byToken.size >= this.#max) {
      const finished = [...this.#byToken].find(([, r]) => r.status !== 'SCHEDULED' && r.status !== 'RUNNING');
      if (!finished) throw throttled(`${this.#max} retrievals are already running; retry later`);
      this.#byToken.delete(finished[0]);
    }
    const token = randomBytes(24).toString('base64url');
    const retrieval: Retrieval = { status: 'SCHEDULED', traceIds, start, end, created: this.#now(), traces: [] };
    this.#byToken.set(token, retrieval);
    setTimeout(() => this.#run(retrieval), this.#scheduleMs).unref();
    return token;
  }

  /** The retrieval a token names, or X-Ray's ResourceNotFoundException. */
  get(token: string): Retrieval {
    this.#expire();
    const r = this.#byToken.get(token);
    if (!r) throw notFound(`no retrieval with this RetrievalToken (retrievals are kept ${this.#keepMs / 60_000} minutes)`);
    return r;
  }

  cancel(token: string): void {
    const r = this.get(token);
    if (r.status === 'COMPLETE' || r.status === 'FAILED' || r.status === 'TIMEOUT') throw invalid(`the retrieval is ${r.status} and can no longer be cancelled`);
    r.status = 'CANCELLED';
    r.traces = [];
  }

  #run(r: Retrieval): void {
    if (r.status !== 'SCHEDULED') return;
    r.status = 'RUNNING';
    for (const id of r.traceIds) {
      const row = this.#store.get(id);
      // The range is inclusive on both ends and refers to the trace's start.
      if (!row || row.start_time < r.start || row.start_time > r.end) continue;
      r.traces.push({ id, duration: row.duration });
    }
    r.status = 'COMPLETE';
  }

  #expire(): void {
    const cutoff = this.#now() - this.#keepMs;
    for (const [token, r] of this.#byToken) if (r.created < cutoff) this.#byToken.delete(token);
  }
}

/** The retrieval operations over one store. */
export function retrievalOperations(context: OperationContext, options?: RetrievalOptions): Operation[] {
  const retrievals = new RetrievalStore(context.store, options);
  const token = (body: Body) => text(body.RetrievalToken, 'RetrievalToken', 1, 1020);
  return [
    {
      path: '/StartTraceRetrieval',
      name: 'StartTraceRetrieval',
      handler: (body) => {
        const ids = body.TraceIds;
        if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_TRACE_IDS || !ids.every((i) => typeof i === 'string' && i.length >= 1 && i.length <= 35)) {
          throw invalid(`TraceIds must be a list of 1 to ${MAX_TRACE_IDS} trace ids`);
        }
        const { start, end } = window(body);
        return { RetrievalToken: retrievals.start([...new Set((ids as string[]).map(xrayTraceId))], start, end) };
      },
    },
    {
      path: '/ListRetrievedTraces',
      name: 'ListRetrievedTraces',
      handler: (body) => {
        const r = retrievals.get(token(body));
        const format = body.TraceFormat ?? 'XRAY';
        if (format !== 'XRAY' && format !== 'OTEL') throw invalid('TraceFormat must be XRAY or OTEL');
        const offset = pageOffset(body.NextToken);
        const page = r.traces.slice(offset, offset + PAGE_TRACES);
        const Traces = page.flatMap((t) => {
          const docs = context.store.documents(t.id);
          if (!docs) return []; // pruned by retention since the retrieval ran
          const segments = processedSegments(docs);
          const Spans =
            format === 'XRAY'
              ? segments.map((doc) => ({ Id: doc.id as string, Document: JSON.stringify(doc) }))
              : toOtelSpans(segments).map((s) => ({ Id: s.id, Document: JSON.stringify(s.document) }));
          return [{ Id: t.id, Duration: t.duration, Spans }];
        });
        return { RetrievalStatus: r.status, TraceFormat: format, Traces, ...nextToken(offset + page.length, r.traces.length) };
      },
    },
    {
      path: '/GetRetrievedTracesGraph',
      name: 'GetRetrievedTracesGraph',
      handler: (body) => {
        const r = retrievals.get(token(body));
        const ids = r.traces.map((t) => t.id);
        const services = ids.length === 0 ? [] : toXRayServices(aggregateGraph(context.store.graphs(0, 0, ids)));
        const links = linksByService(context.store, ids);
        const offset = pageOffset(body.NextToken);
        const page = services.slice(offset, offset + PAGE_SERVICES);
        return {
          RetrievalStatus: r.status,
          Services: page.map((s) => ({ Service: s, Links: links.get(String((s as { Name?: string }).Name)) ?? [] })),
          ...nextToken(offset + page.length, services.length),
        };
      },
    },
    {
      path: '/CancelTraceRetrieval',
      name: 'CancelTraceRetrieval',
      handler: (body) => {
        retrievals.cancel(token(body));
        return {};
      },
    },
  ];
}

/**
 * Span links recorded on segments (`links[]`, as the OTel translator writes them), per service
 * name, as X-Ray's GraphLink. The local console calls every such reference `child`.
 */
function linksByService(store: TraceStoreApi, ids: string[]): Map<string, GraphLink[]> {
  const out = new Map<string, GraphLink[]>();
  for (const id of ids) {
    for (const seg of store.documents(id) ?? []) {
      const doc = seg as Record<string, unknown>;
      const name = str(doc.name);
      if (name === undefined || !Array.isArray(doc.links)) continue;
      const destinations = [...new Set(doc.links.map((l) => str(obj(l).trace_id)).filter((d): d is string => d !== undefined && d !== id))];
      if (destinations.length === 0) continue;
      const list = out.get(name) ?? [];
      list.push({ ReferenceType: 'child', SourceTraceId: id, DestinationTraceIds: destinations });
      out.set(name, list);
    }
  }
  return out;
}

type GraphLink = { ReferenceType: string; SourceTraceId: string; DestinationTraceIds: string[] };
