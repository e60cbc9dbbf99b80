/**
 * The trace family: PutTraceSegments, GetTraceSummaries, BatchGetTraces, GetServiceGraph,
 * GetTraceGraph (XRAY-REFERENCE §7).
 */
import type { ProblemKind } from '../ingest/validate.ts';
import { findTraces, type CompiledQuery } from '../api/query.ts';
import { aggregateGraph, toXRayServices } from '../api/service-graph.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { compileWithGroups, groupQuery, requestGroup } from './groups.ts';
import { InvalidRequest, timeRange, type Body, type XRayFamily } from './operation.ts';
import { processedSegments } from './processed.ts';
import { toTraceSummary } from './summary.ts';

/** Summaries per GetTraceSummaries page. */
const PAGE_SIZE = 100;
const MAX_TRACE_IDS = 5;
/** Traces a group's service graph or time series is built from, at most (newest first). */
export const MAX_GROUP_TRACES = 20_000;

const errorCodes: Record<ProblemKind, string> = {
  malformed: 'InvalidSegmentDocument',
  invalid_header: 'InvalidSegmentDocument',
  oversized: 'SegmentTooLarge',
  missing_fields: 'MissingRequiredFields',
  rejected_trace_id: 'InvalidTraceId',
  orphan_subsegment: 'OrphanSubsegment',
  in_progress: 'InProgress',
  unsupported: 'InvalidSegmentDocument',
  dropped: 'Throttled',
};

export const traceOperations: XRayFamily = ({ store, ingest, state }) => [
  {
    name: 'PutTraceSegments',
    path: '/TraceSegments',
    handler: (body, { ip }) => {
      const docs = body.TraceSegmentDocuments;
      if (!Array.isArray(docs) || !docs.every((d) => typeof d === 'string')) throw new InvalidRequest('TraceSegmentDocuments must be a list of strings');
      const unprocessed: { Id?: string; ErrorCode: string; Message: string }[] = [];
      for (const text of docs as string[]) {
        // A document may also be an array of subsegments (§2.1).
        const items = text.trimStart().startsWith('[') ? splitArray(text) : [text];
        for (const item of items) {
          const r = ingest.document(item, `http ${ip}`);
          if (!r.ok) unprocessed.push({ ...(r.id ? { Id: r.id } : {}), ErrorCode: errorCodes[r.kind], Message: r.detail });
        }
      }
      return { UnprocessedTraceSegments: unprocessed };
    },
  },
  {
    name: 'GetTraceSummaries',
    path: '/TraceSummaries',
    handler: (body) => {
      const { start, end } = timeRange(body);
      if (body.FilterExpression !== undefined && typeof body.FilterExpression !== 'string') throw new InvalidRequest('FilterExpression must be a string');
      const compiled = compileWithGroups(state, body.FilterExpression as string | undefined);
      const before = body.NextToken === undefined || body.NextToken === '' ? undefined : decodeToken(body.NextToken);
      const { rows, scanned, more } = findTraces(store, { since: start, until: end, before }, compiled, PAGE_SIZE);
      const last = rows.at(-1);
      return {
        TraceSummaries: rows.map((r) => toTraceSummary(r, store.filterTrace(r.id))),
        ApproximateTime: Math.floor(Date.now() / 1000),
        TracesProcessedCount: scanned,
        ...(more && last ? { NextToken: Buffer.from(JSON.stringify([last.start_time, last.id])).toString('base64url') } : {}),
      };
    },
  },
  {
    name: 'BatchGetTraces',
    path: '/Traces',
    handler: (body) => {
      const ids = traceIds(body);
      const traces = [];
      const unprocessed = [];
      for (const id of ids) {
        const row = store.get(id);
        const docs = row ? store.documents(id) : undefined;
        if (!row || !docs) {
          unprocessed.push(id);
          continue;
        }
        const segments = processedSegments(docs).map((doc) => ({ Id: doc.id as string, Document: JSON.stringify(doc) }));
        traces.push({ Id: id, Duration: row.duration, LimitExceeded: false, Segments: segments });
      }
      return { Traces: traces, UnprocessedTraceIds: unprocessed };
    },
  },
  {
    name: 'GetServiceGraph',
    path: '/ServiceGraph',
    handler: (body) => {
      const { start, end } = timeRange(body);
      const group = requestGroup(state, body, false);
      const graphs = group?.FilterExpression ? store.graphs(0, 0, matchingIds(store, groupQuery(state, group), start, end)) : store.graphs(start, end);
      return { StartTime: start, EndTime: end, Services: toXRayServices(aggregateGraph(graphs)), ContainsOldGroupVersions: false };
    },
  },
  {
    name: 'GetTraceGraph',
    path: '/TraceGraph',
    handler: (body) => ({ Services: toXRayServices(aggregateGraph(store.graphs(0, 0, traceIds(body)))) }),
  },
];

/** Ids of the traces starting in the window that match, newest first, at most MAX_GROUP_TRACES. */
export function matchingIds(store: TraceStoreApi, compiled: CompiledQuery, start: number, end: number): string[] {
  return findTraces(store, { since: start, until: end }, compiled, MAX_GROUP_TRACES).rows.map((r) => r.id);
}

function traceIds(body: Body): string[] {
  const ids = body.TraceIds;
  if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string' && i.length >= 1 && i.length <= 35)) throw new InvalidRequest('TraceIds must be a list of trace ids');
  if (ids.length < 1 || ids.length > MAX_TRACE_IDS) throw new InvalidRequest(`TraceIds must hold 1 to ${MAX_TRACE_IDS} ids, got ${ids.length}`);
  return ids as string[];
}

function decodeToken(token: unknown): { start: number; id: string } {
  try {
    const [start, id] = JSON.parse(Buffer.from(String(token), 'base64url').toString()) as [number, string];
    if (typeof start === 'number' && typeof id === 'string') return { start, id };
  } catch {
    // falls through to the error below
  }
  throw new InvalidRequest('NextToken is not a token this service issued');
}

/** The items of a JSON array document, each re-serialised as its own document. */
function splitArray(text: string): string[] {
  try {
    const items = JSON.parse(text) as unknown;
    if (Array.isArray(items)) return items.map((i) => JSON.stringify(i));
  } catch {
    // not an array after all: let the document check report it
  }
  return [text];
}
