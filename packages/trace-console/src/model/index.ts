/**
 * The trace model: one trace as X-Ray's GetTraceSummaries describes it (nodes, edges, flags,
 * annotations, root causes), built from raw segment documents. The store, the filter
 * language, the X-Ray API and the UI read it; it knows nothing of filters.
 */
export { buildFilterTrace } from './build.ts';
export type * from './model.ts';
