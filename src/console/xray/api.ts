/**
 * The X-Ray service API on the console's TCP port (XRAY-REFERENCE §7): restJson1, every
 * operation a POST with a JSON body, errors as `X-Amzn-Errortype` + `{"__type","Message"}`,
 * timestamps as epoch-second numbers, `NextToken` paging. SigV4 `Authorization` headers
 * are accepted without verification (this is a local stand-in), so AWS's CLI and SDKs
 * work with an endpoint override.
 */
import type { FastifyReply } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import type { App } from '../../shared/http.ts';
import { FilterSyntaxError } from '../filter/index.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { ProblemKind } from '../ingest/validate.ts';
import type { SamplingService } from '../sampling/service.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { compileQuery, findTraces } from '../api/query.ts';
import { aggregateGraph, toXRayServices } from '../api/service-graph.ts';
import { processedSegments } from './processed.ts';
import { toTraceSummary } from './summary.ts';
import { time, XRayError } from './params.ts';
import { insightOperations } from './insights.ts';
import { retrievalOperations } from './retrieval.ts';

/** X-Ray's 400. */
export class InvalidRequest extends Error {
  override name = 'InvalidRequestException';
}

/** Summaries per GetTraceSummaries page. */
const PAGE_SIZE = 100;
const MAX_TRACE_IDS = 5;

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

type Body = Record<string, unknown>;

/** Registers the seven X-Ray operations. */
export function registerXRayApi(app: App, store: TraceStoreApi, ingest: Ingest, sampling: SamplingService): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // botocore and the SDKs send application/json; an empty body means `{}` (restJson1).
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 8 * 1024 * 1024 }, (_req, text, done) => {
      if ((text as string).trim() === '') return done(null, {});
      try {
        done(null, JSON.parse(text as string));
      } catch {
        done(new InvalidRequest('the request body is not valid JSON'), undefined);
      }
    });
    scope.setErrorHandler((err, req, reply) => {
      const e = err as Error & { statusCode?: number; code?: string };
      if (err instanceof XRayError) return awsError(reply, err.status, err.type, err.message);
      if (e.name === 'InvalidRequestException') return awsError(reply, 400, 'InvalidRequestException', e.message);
      if (err instanceof AppError) return awsError(reply, err.status, err.status === 401 ? 'AccessDeniedException' : 'InvalidRequestException', err.detail);
      if (typeof e.statusCode === 'number' && e.statusCode < 500) return awsError(reply, 400, 'InvalidRequestException', e.message);
      req.log.error({ err }, 'request failed');
      return awsError(reply, 500, 'ServiceException', 'internal error; the request id is in the server log');
    });
    const op = (path: string, summary: string, handler: (body: Body, ip: string) => unknown) =>
      scope.post(path, { schema: { summary, tags: ['X-Ray API'] } }, async (req) => handler(asBody(req.body), req.ip));

    op('/TraceSegments', 'PutTraceSegments', (body, ip) => {
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
    });

    op('/TraceSummaries', 'GetTraceSummaries', (body) => {
      const start = time(body.StartTime, 'StartTime', true)!;
      const end = time(body.EndTime, 'EndTime', true)!;
      if (end < start) throw new InvalidRequest('EndTime must not be before StartTime');
      if (body.FilterExpression !== undefined && typeof body.FilterExpression !== 'string') throw new InvalidRequest('FilterExpression must be a string');
      let compiled;
      try {
        compiled = compileQuery(body.FilterExpression as string | undefined);
      } catch (err) {
        if (err instanceof FilterSyntaxError) throw new InvalidRequest(`Invalid filter expression ${err.message}`);
        throw err;
      }
      const before = body.NextToken === undefined || body.NextToken === '' ? undefined : decodeToken(body.NextToken);
      const { rows, scanned, more } = findTraces(store, { since: start, until: end, before }, compiled, PAGE_SIZE);
      const last = rows.at(-1);
      return {
        TraceSummaries: rows.map((r) => toTraceSummary(r, store.filterTrace(r.id))),
        ApproximateTime: Math.floor(Date.now() / 1000),
        TracesProcessedCount: scanned,
        ...(more && last ? { NextToken: Buffer.from(JSON.stringify([last.start_time, last.id])).toString('base64url') } : {}),
      };
    });

    op('/Traces', 'BatchGetTraces', (body) => {
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
    });

    op('/ServiceGraph', 'GetServiceGraph', (body) => {
      const start = time(body.StartTime, 'StartTime', true)!;
      const end = time(body.EndTime, 'EndTime', true)!;
      if (end < start) throw new InvalidRequest('EndTime must not be before StartTime');
      return { StartTime: start, EndTime: end, Services: toXRayServices(aggregateGraph(store.graphs(start, end))), ContainsOldGroupVersions: false };
    });

    op('/TraceGraph', 'GetTraceGraph', (body) => ({ Services: toXRayServices(aggregateGraph(store.graphs(0, 0, traceIds(body)))) }));

    op('/GetSamplingRules', 'GetSamplingRules', (body) => sampling.getSamplingRules(body));
    op('/SamplingTargets', 'GetSamplingTargets', (body) => sampling.getSamplingTargets(body));
    const context = { store, onClose: (fn: () => void) => scope.addHook('onClose', async () => fn()) };
    for (const o of [...retrievalOperations(context), ...insightOperations(context)]) op(o.path, o.name, o.handler);
  });
}

function awsError(reply: FastifyReply, status: number, type: string, message: string): FastifyReply {
  return reply.code(status).header('x-amzn-errortype', type).type('application/json').send({ __type: type, Message: message });
}

function asBody(body: unknown): Body {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('the request body must be a JSON object');
  return body as Body;
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
