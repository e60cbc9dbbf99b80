/**
 * One trace examined (`GET /api/traces/{id}/diagnosis`) and two compared (`GET /api/diff`).
 * Shared by the HTTP routes and the MCP tools, so both answer alike.
 */
import { appError } from '@tfa/service-kit/errors';
import type { App } from '@tfa/service-kit/http';
import type { Diagnostics } from '../ingest/diagnostics.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { routeSchemas, type Diagnosis, type TraceDiff } from './contract.ts';
import { diagnose } from './diagnosis.ts';
import { diffTraces } from './diff.ts';

/** The diagnosis of `id`, stored or not. */
export function diagnoseTrace(store: TraceStoreApi, diagnostics: Diagnostics, id: string): Diagnosis {
  const known = new Set(diagnostics.report().flatMap((s) => s.services));
  return diagnose(id, store.documents(id), diagnostics.traceEvents(id), known);
}

/** Traces scanned, newest first, for the ones of the same URL. */
const TYPICAL_SCAN = 5000;

/**
 * The typical trace for `id`: among stored traces of the same URL (method too), the one whose
 * duration is nearest the median; undefined when no other trace has that URL.
 */
export function typicalTrace(store: TraceStoreApi, id: string): string | undefined {
  const row = store.get(id);
  if (row === undefined || row.http_url === null) return undefined;
  const same: { id: string; duration: number }[] = [];
  let scanned = 0;
  for (const r of store.list({})) {
    if (++scanned > TYPICAL_SCAN) break;
    if (r.http_url === row.http_url && r.http_method === row.http_method) same.push({ id: r.id, duration: r.duration });
  }
  const others = same.filter((r) => r.id !== id);
  if (others.length === 0) return undefined;
  const sorted = same.map((r) => r.duration).sort((x, y) => x - y);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return others.reduce((best, r) => (Math.abs(r.duration - median) < Math.abs(best.duration - median) ? r : best)).id;
}

/** The comparison of `a` with `b` (`typical`: the typical trace of a's URL). */
export function diffById(store: TraceStoreApi, a: string, b: string): TraceDiff {
  const docsA = documentsOf(store, a);
  let other = b;
  if (b === 'typical') {
    const found = typicalTrace(store, a);
    if (found === undefined) throw appError('not_found', `no other trace of ${store.get(a)?.http_url ?? 'the same URL'} to compare ${a} with`);
    other = found;
  }
  return diffTraces(a, docsA, other, documentsOf(store, other));
}

/** Registers the diagnosis and diff routes. */
export function registerAnalysisRoutes(app: App, store: TraceStoreApi, diagnostics: Diagnostics): void {
  app.get('/api/traces/:id/diagnosis', { schema: routeSchemas.diagnosis }, async (req) =>
    diagnoseTrace(store, diagnostics, req.params.id),
  );
  app.get('/api/diff', { schema: routeSchemas.diff }, async (req) => {
    return diffById(store, req.query.a, req.query.b);
  });
}

/** The documents of a stored trace, or a 404 naming it. */
export function documentsOf(store: TraceStoreApi, id: string): object[] {
  const docs = store.documents(id);
  if (docs === undefined || docs.length === 0) throw appError('not_found', `no trace ${id} in this console (unknown, or pruned by retention); GET /api/traces/${id}/diagnosis says what happened to it`);
  return docs;
}
