/**
 * The console's own API (DESIGN.md, trace-console routes): health, trace list with
 * filters, one trace's documents (also the export), service graph and diagnostics.
 */
import { FilterSyntaxError } from '../filter/index.ts';
import { appError } from '@tfa/service-kit/errors';
import { sendError, type App } from '@tfa/service-kit/http';
import type { Diagnostics } from '../ingest/diagnostics.ts';
import { fixes } from '../ingest/validate.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { toApiSummary } from '../store/summary.ts';
import { routeSchemas, type DiagnosticsBody } from './contract.ts';
import { compileWithGroup, type GroupLookup } from './group-filter.ts';
import { filterErrorBody, findTraces, parseTime } from './query.ts';
import { aggregateGraph, toConsoleGraph } from './service-graph.ts';

/** Extra counters the diagnostics page shows next to the per-sender ones. */
export type RuntimeStats = () => Pick<DiagnosticsBody, 'udp' | 'xray'>;

/** Traces a group's map is built from, at most (newest first), as GetServiceGraph does. */
const MAX_GROUP_TRACES = 20_000;

/** Registers the console API routes. */
export function registerConsoleRoutes(app: App, store: TraceStoreApi, diagnostics: Diagnostics, runtime: RuntimeStats = () => ({}), groups?: GroupLookup): void {
  app.get('/health', { schema: { hide: true }, config: { quiet: true, trace: false } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send('OK'),
  );

  app.get('/api/traces', { schema: routeSchemas.traces }, async (req, reply) => {
    const q = req.query;
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

  app.get('/api/traces/:id', { schema: routeSchemas.trace }, async (req) => {
    const id = req.params.id;
    const row = store.get(id);
    const segments = row ? store.documents(id) : undefined;
    if (!row || !segments) throw appError('not_found', `no trace ${id} in this console (unknown, or pruned by retention)`);
    // Documents are open records: served as received.
    return { id, duration: row.duration, segments: segments as Record<string, unknown>[] };
  });

  app.get('/api/service-graph', { schema: routeSchemas.serviceGraph }, async (req) => {
    const q = req.query;
    // Unbounded by default, like /api/traces: retention already bounds what is stored.
    const since = parseTime(q.since, 'since') ?? 0;
    const until = parseTime(q.until, 'until') ?? Number.MAX_SAFE_INTEGER;
    const group = compileWithGroup(undefined, q.group, groups);
    if (group.predicate === undefined) return toConsoleGraph(aggregateGraph(store.graphs(since, until)));
    const ids = findTraces(store, { since, until }, group, MAX_GROUP_TRACES).rows.map((r) => r.id);
    return toConsoleGraph(aggregateGraph(store.graphs(0, 0, ids)));
  });

  app.get('/api/diagnostics', { schema: routeSchemas.diagnostics }, async () => ({
    senders: diagnostics.report(),
    store: store.stats(),
    ...runtime(),
    fixes,
  }));
}
