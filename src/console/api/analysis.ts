/**
 * One trace examined (`GET /api/traces/{id}/diagnosis`).
 * Shared by the HTTP routes and the MCP tools, so both answer alike.
 */
import Type from 'typebox';
import { appError } from '../../shared/errors.ts';
import type { App } from '../../shared/http.ts';
import type { Diagnostics } from '../ingest/diagnostics.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { diagnose, type Diagnosis } from './diagnosis.ts';

/** The diagnosis of `id`, stored or not. */
export function diagnoseTrace(store: TraceStoreApi, diagnostics: Diagnostics, id: string): Diagnosis {
  const known = new Set(diagnostics.report().flatMap((s) => s.services));
  return diagnose(id, store.documents(id), diagnostics.traceEvents(id), known);
}

const TraceIdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** Registers the diagnosis route. */
export function registerAnalysisRoutes(app: App, store: TraceStoreApi, diagnostics: Diagnostics): void {
  app.get('/api/traces/:id/diagnosis', { schema: { params: TraceIdParams, summary: 'What is wrong with one trace, each finding with evidence and fix (also for an id never stored)' } }, async (req) =>
    diagnoseTrace(store, diagnostics, (req.params as { id: string }).id),
  );
}

/** The documents of a stored trace, or a 404 naming it. */
export function documentsOf(store: TraceStoreApi, id: string): object[] {
  const docs = store.documents(id);
  if (docs === undefined || docs.length === 0) throw appError('not_found', `no trace ${id} in this console (unknown, or pruned by retention); GET /api/traces/${id}/diagnosis says what happened to it`);
  return docs;
}
