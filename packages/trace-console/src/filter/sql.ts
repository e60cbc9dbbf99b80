/**
 * Pushes the cheap, top-level parts of a filter down into SQL so the store can skip most
 * rows before building FilterTraces. The fragment over-approximates: every trace the
 * filter matches also matches the fragment (the evaluator then decides). What cannot be
 * expressed exactly enough (service blocks, annotations, root causes, most negations of
 * strings) is simply left out. User values only ever travel as bound parameters.
 */
import type { Expr, NumberOp } from './ast.ts';

/**
 * The columns of the store's `traces` table this module refers to. Each must hold exactly
 * the FilterTrace field named, so the SQL test and the evaluator agree.
 */
export interface TraceColumns {
  /** REAL: `startTime` (not used by filters; the store's since/until). */
  start_time: number;
  /** REAL NOT NULL: `duration`. */
  duration: number;
  /** REAL NOT NULL: `responseTime`. */
  response_time: number;
  /** INTEGER, NULL when absent: `http.status`. */
  http_status: number | null;
  /** TEXT, NULL when absent: `http.method`. */
  http_method: string | null;
  /** TEXT, NULL when absent: `http.url`. */
  http_url: string | null;
  /** INTEGER NOT NULL 0/1: the flags of the same name. */
  ok: 0 | 1;
  error: 0 | 1;
  fault: 0 | 1;
  throttle: 0 | 1;
  partial: 0 | 1;
}

/** A WHERE fragment (no leading WHERE) and its positional parameters. */
export interface SqlPrefilter {
  where: string;
  params: Array<string | number>;
}

type Fragment = SqlPrefilter | null; // null: "no restriction" (TRUE)

const flagColumns = new Set(['ok', 'error', 'fault', 'throttle', 'partial']);
const numberColumns: Record<string, { column: keyof TraceColumns; nullable: boolean }> = {
  responsetime: { column: 'response_time', nullable: false },
  duration: { column: 'duration', nullable: false },
  'http.status': { column: 'http_status', nullable: true },
};
const stringColumns: Record<string, keyof TraceColumns> = { 'http.url': 'http_url', 'http.method': 'http_method' };
const inverse: Record<NumberOp, NumberOp> = { '=': '!=', '!=': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

/**
 * A conservative WHERE fragment for the filter, or null when nothing can be pushed down.
 * `alias` qualifies the columns (`t.duration`); it must be a plain identifier.
 */
export function toSqlPrefilter(ast: Expr | null, alias?: string): SqlPrefilter | null {
  if (alias !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw new Error(`invalid SQL alias: ${alias}`);
  if (ast === null) return null;
  return fragment(ast, false, alias === undefined ? '' : `${alias}.`);
}

/** The fragment for `expr` (or for NOT expr when `negated`), pushing NOT down to the leaves. */
function fragment(expr: Expr, negated: boolean, q: string): Fragment {
  switch (expr.kind) {
    case 'not':
      return fragment(expr.expr, !negated, q);
    case 'and':
    case 'or': {
      const parts = expr.items.map((e) => fragment(e, negated, q));
      // De Morgan: under NOT, AND becomes OR and vice versa.
      const conjunction = (expr.kind === 'and') !== negated;
      return conjunction ? join(parts.filter((p) => p !== null), 'AND') : parts.includes(null) ? null : join(parts as SqlPrefilter[], 'OR');
    }
    case 'bool':
      if (!flagColumns.has(expr.keyword)) return null;
      return { where: `${q}${expr.keyword} = ${expr.value !== negated ? 1 : 0}`, params: [] };
    case 'number': {
      const target = numberColumns[expr.keyword];
      if (target === undefined || !Number.isFinite(expr.value)) return null;
      const column = `${q}${target.column}`;
      if (!negated) return { where: `${column} ${expr.op} ?`, params: [expr.value] };
      const where = `${column} ${inverse[expr.op]} ?`;
      // NOT(status > 5) also holds for a trace with no status.
      return { where: target.nullable ? `(${column} IS NULL OR ${where})` : where, params: [expr.value] };
    }
    case 'string': {
      const target = stringColumns[expr.keyword];
      return target === undefined ? null : stringFragment(`${q}${target}`, expr.op, expr.value, negated);
    }
    default:
      return null; // service, edge, annotation, root causes, groups: evaluated in JS only
  }
}

function stringFragment(column: string, op: string, value: string, negated: boolean): Fragment {
  // An empty CONTAINS/BEGINSWITH/ENDSWITH only asks whether the field is set.
  if (op === 'set' || (value === '' && op !== '=' && op !== '!=')) return { where: `${column} IS ${negated ? '' : 'NOT '}NULL`, params: [] };
  let test: SqlPrefilter;
  if (op === '=') test = { where: `${column} = ?`, params: [value] };
  else if (op === '!=') test = { where: `${column} != ?`, params: [value] };
  else if (op === 'CONTAINS') test = { where: `instr(${column}, ?) > 0`, params: [value] };
  // instr, not substr: SQLite counts characters, JS counts UTF-16 units; instr agrees with both.
  else if (op === 'BEGINSWITH') test = { where: `instr(${column}, ?) = 1`, params: [value] };
  else test = { where: `substr(${column}, -length(?)) = ?`, params: [value, value] };
  if (!negated) return test;
  // The evaluator's NOT is true for a missing field; SQL's NOT(NULL) is not, hence IS NULL.
  return { where: `(${column} IS NULL OR NOT (${test.where}))`, params: test.params };
}

function join(parts: SqlPrefilter[], op: 'AND' | 'OR'): Fragment {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0];
  return { where: parts.map((p) => `(${p.where})`).join(` ${op} `), params: parts.flatMap((p) => p.params) };
}
