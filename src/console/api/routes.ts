/**
 * The console's own API (DESIGN.md, trace-console routes): health, trace list with
 * filters, one trace's documents (also the export), service graph and diagnostics.
 */
import Type from 'typebox';
import { FilterSyntaxError } from '../filter/index.ts';
import { appError } from '../../shared/errors.ts';
import { sendError, type App } from '../../shared/http.ts';
import type { Diagnostics } from '../ingest/diagnostics.ts';
import { fixes } from '../ingest/validate.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { toApiSummary } from '../store/summary.ts';
import { compileWithGroup, type GroupLookup } from './group-filter.ts';
import { filterErrorBody, findTraces, parseTime } from './query.ts';
import { aggregateGraph, toConsoleGraph } from './service-graph.ts';

/** Extra counters the diagnostics page shows next to the per-sender ones. */
export type RuntimeStats = () => Record<string, unknown>;

const TraceListQuery = Type.Object({
  filter: Type.Optional(Type.String({ maxLength: 4096, description: 'X-Ray filter expression' })),
  since: Type.Optional(Type.String({ description: 'epoch seconds or ISO 8601; traces starting at or after' })),
  until: Type.Optional(Type.String({ description: 'epoch seconds or ISO 8601; traces starting at or before' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
  group: Type.Optional(Type.String({ maxLength: 32, description: "a group's name: its filter expression is ANDed with `filter`" })),
});
const WindowQuery = Type.Object({
  since: Type.Optional(Type.String()),
  until: Type.Optional(Type.String()),
  group: Type.Optional(Type.String({ maxLength: 32, description: "a group's name: only its traces make the map" })),
});
/** Traces a group's map is built from, at most (newest first), as GetServiceGraph does. */
const MAX_GROUP_TRACES = 20_000;
const TraceIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** Registers the console API routes. */
export function registerConsoleRoutes(app: App, store: TraceStoreApi, diagnostics: Diagnostics, runtime: RuntimeStats = () => ({}), groups?: GroupLookup): void {
  app.get('/health', { schema: { hide: true }, config: { quiet: true, trace: false } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send('OK'),
  );

  app.get('/api/traces', { schema: { querystring: TraceListQuery, summary: 'Traces, newest first' } }, async (req, reply) => {
    const q = req.query as { filter?: string; since?: string; until?: string; limit?: number; group?: string };
    const since = parseTime(q.since, 'since');
    const until = parseTime(q.until, 'until');
    let compiled;
    try {
      compiled = compileWithGroup(q.filter, q.group, groups);
    } catch (err) {
      if (err instanceof FilterSyntaxError) return sendError(reply, filterErrorBody(req.id, err));
      throw err;
    }
    const { rows } = findTraces(store, { since, until }, compiled, q.limit ?? 50);
    return { traces: rows.map(toApiSummary) };
  });

  app.get('/api/traces/:id', { schema: { params: TraceIdParams, summary: 'Every document of one trace, as received (also the export)' } }, async (req) => {
    const id = (req.params as { id: string }).id;
    const row = store.get(id);
    const segments = row ? store.documents(id) : undefined;
    if (!row || !segments) throw appError('not_found', `no trace ${id} in this console (unknown, or pruned by retention)`);
    return { id, duration: row.duration, segments };
  });

  app.get('/api/service-graph', { schema: { querystring: WindowQuery, summary: 'Service map of the traces starting within the window (default: every stored trace)' } }, async (req) => {
    const q = req.query as { since?: string; until?: string; group?: string };
    // Unbounded by default, like /api/traces: retention already bounds what is stored.
    const since = parseTime(q.since, 'since') ?? 0;
    const until = parseTime(q.until, 'until') ?? Number.MAX_SAFE_INTEGER;
    const group = compileWithGroup(undefined, q.group, groups);
    if (group.predicate === undefined) return toConsoleGraph(aggregateGraph(store.graphs(since, until)));
    const ids = findTraces(store, { since, until }, group, MAX_GROUP_TRACES).rows.map((r) => r.id);
    return toConsoleGraph(aggregateGraph(store.graphs(0, 0, ids)));
  });

  app.get('/api/diagnostics', { schema: { summary: 'Ingest problems per sender, each with a sample and the fix' } }, async () => ({
    senders: diagnostics.report(),
    store: store.stats(),
    ...runtime(),
    fixes,
  }));
}
