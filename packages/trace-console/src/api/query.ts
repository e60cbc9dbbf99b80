/**
 * Query pieces shared by the console API and the X-Ray API: time bounds, filters (SQL
 * prefilter, then the evaluator on each candidate), and the 400 a bad filter earns.
 */
import { compileAst, FilterSyntaxError, parseFilter, type Expr, type SqlPrefilter } from '../filter/index.ts';
import type { FilterTrace } from '../model/index.ts';
import { prefilterFor } from '../filter/prefilter.ts';
import { appError } from '@tfa/service-kit/errors';
import type { ListQuery, TraceStoreApi } from '../store/store.ts';
import type { TraceRow } from '../store/summary.ts';

/** Parses `since`/`until`: epoch seconds (fractions allowed) or an ISO 8601 time; undefined when absent. */
export function parseTime(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const ms = /^\d{4}-\d\d-\d\d/.test(raw) ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) throw appError('validation_failed', `querystring.${name} must be epoch seconds or an ISO 8601 time, e.g. 2026-11-27T10:00:00Z`);
  return ms / 1000;
}

/** A compiled filter: the SQL prefilter and the exact predicate (both absent for a blank filter). */
export interface CompiledQuery {
  prefilter: SqlPrefilter | null;
  predicate: ((t: FilterTrace) => boolean) | undefined;
}

/** Compiles a filter expression; throws FilterSyntaxError. */
export function compileQuery(filter: string | undefined): CompiledQuery {
  return compileExpr(filter === undefined ? null : parseFilter(filter));
}

/** Compiles a parsed expression (e.g. after the X-Ray API replaced its group.* terms); throws FilterSyntaxError. */
export function compileExpr(ast: Expr | null): CompiledQuery {
  if (ast === null) return { prefilter: null, predicate: undefined };
  // compileAst refuses what parses but cannot be evaluated (group.name), with a position too.
  return { prefilter: prefilterFor(ast), predicate: compileAst(ast) };
}

/** Up to `limit` rows matching the query, newest first, plus how many candidates were examined. */
export function findTraces(store: TraceStoreApi, query: ListQuery, compiled: CompiledQuery, limit: number): { rows: TraceRow[]; scanned: number; more: boolean } {
  const rows: TraceRow[] = [];
  let scanned = 0;
  const it = store.list({ ...query, prefilter: compiled.prefilter });
  try {
    for (const row of it) {
      scanned++;
      if (compiled.predicate) {
        const trace = store.filterTrace(row.id);
        if (trace === undefined || !compiled.predicate(trace)) continue;
      }
      if (rows.length === limit) return { rows, scanned, more: true };
      rows.push(row);
    }
  } finally {
    it.return(undefined);
  }
  return { rows, scanned, more: false };
}

/** The body of a 400 for a bad filter: the contract's error plus where and what was expected. */
export function filterErrorBody(requestId: string, err: FilterSyntaxError): { id: string; code: string; status: number; detail: string; position: number; expected: string[] } {
  return { id: requestId, code: 'invalid_filter', status: 400, detail: `invalid filter ${err.message}`, position: err.position, expected: err.expected };
}
