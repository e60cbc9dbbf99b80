/**
 * Retention: traces idle longer than the retention period go first, then the oldest beyond
 * the count limit. One step deletes a bounded chunk in its own short transaction, so a large
 * backlog is worked off in steps with ingest commits in between, never in one long stall.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** Traces deleted per step. */
export const PRUNE_CHUNK = 1000;

/** The statements a step needs (see schema.ts). */
export type RetentionStatements = Record<'oldByAge' | 'oldByCount' | 'count' | 'deleteDocs' | 'deleteAnnotations' | 'deleteTrace', StatementSync>;

/** Deletes up to PRUNE_CHUNK expired or excess traces; returns their ids and how many documents went with them. */
export function pruneStep(db: DatabaseSync, s: RetentionStatements, cutoffMs: number, maxTraces: number): { ids: string[]; documents: number } {
  let ids = (s.oldByAge.all(cutoffMs) as { id: string }[]).map((r) => r.id);
  if (ids.length === 0) {
    const excess = Number((s.count.get() as { traces: number }).traces) - maxTraces;
    if (excess > 0) ids = (s.oldByCount.all(Math.min(excess, PRUNE_CHUNK)) as { id: string }[]).map((r) => r.id);
  }
  let documents = 0;
  if (ids.length === 0) return { ids, documents };
  db.exec('BEGIN');
  try {
    for (const id of ids) {
      documents += Number(s.deleteDocs.run(id).changes);
      s.deleteAnnotations.run(id);
      s.deleteTrace.run(id);
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
  return { ids, documents };
}
