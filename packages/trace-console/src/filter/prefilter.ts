/**
 * More SQL pushdown than the filter module's `toSqlPrefilter`, for the two filters users
 * write most that it leaves to the evaluator: `annotation.KEY …` and `service("name")`.
 * Both need the key or name to appear in a summary row's JSON column, so a substring test
 * there skips most traces before their filter model is built (a model costs a read, a
 * parse and a build; a substring test costs nothing). Like toSqlPrefilter it only
 * over-approximates: every trace the filter matches passes. An annotation comparison is
 * pushed down whole, to the indexed trace_annotations table, so even a filter that matches
 * nothing costs an index lookup rather than a filter model per stored trace.
 */
import { toSqlPrefilter, type Expr, type SqlPrefilter } from './index.ts';

type AnnotationExpr = Extract<Expr, { kind: 'annotation' }>;

/** The conservative WHERE fragment for a parsed filter over the `traces` table, or null. */
export function prefilterFor(ast: Expr | null): SqlPrefilter | null {
  const parts = [toSqlPrefilter(ast), ast === null ? null : presence(ast)].filter((p): p is SqlPrefilter => p !== null);
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  return { where: parts.map((p) => `(${p.where})`).join(' AND '), params: parts.flatMap((p) => p.params) };
}

/** What must be present in the row for `expr` to hold (top level only; negations give up). */
function presence(expr: Expr): SqlPrefilter | null {
  switch (expr.kind) {
    case 'and': {
      const parts = expr.items.map(presence).filter((p): p is SqlPrefilter => p !== null);
      if (parts.length === 0) return null;
      return { where: parts.map((p) => `(${p.where})`).join(' AND '), params: parts.flatMap((p) => p.params) };
    }
    case 'or': {
      const parts = expr.items.map(presence);
      if (parts.some((p) => p === null)) return null;
      return { where: parts.map((p) => `(${p!.where})`).join(' OR '), params: parts.flatMap((p) => p!.params) };
    }
    case 'annotation':
      return annotation(expr);
    case 'service':
      if (expr.selector.name === undefined) return null;
      // Every node, inferred ones included, is in the graph column as {"name":"…",…}.
      return { where: 'instr(graph, ?) > 0', params: [`"name":${JSON.stringify(expr.selector.name)}`] };
    default:
      return null;
  }
}

/** The SQL for an annotation predicate at the top level, mirroring evaluate.ts's annotationPredicate. */
function annotation(expr: AnnotationExpr): SqlPrefilter | null {
  // Every operator but `unset` is false for a trace without the key.
  if (expr.op === 'unset') return null;
  // trace_annotations holds one row per trace, key and distinct value (store/schema.ts).
  // `+id` keeps SQLite scanning traces newest first and testing membership in the (once
  // materialised) id set; letting it drive from the set instead sorts every match, which
  // costs ~65 ms at 10 % of 100 000 traces against ~16 ms this way (both ~10 ms or less
  // for rare values).

  const any = (test: string, params: Array<string | number>): SqlPrefilter => ({
    where: `+id IN (SELECT trace_id FROM trace_annotations WHERE key = ? AND ${test})`,
    params: [expr.key, ...params],
  });
  // "Set, or the boolean value for a boolean": some value other than false.
  if (expr.op === 'set') return any('(bool IS NULL OR bool = 1)', []);
  const { op, value } = expr;
  if (typeof value === 'number') return Number.isFinite(value) ? any(`num ${op} ?`, [value]) : any('1', []);
  if (typeof value === 'boolean') return any('bool = ?', [(op === '=') === value ? 1 : 0]);
  switch (op) {
    case '=':
    case '!=':
      return any(`str ${op} ?`, [value as string]);
    case 'CONTAINS':
      return any('instr(str, ?) > 0', [value as string]);
    case 'BEGINSWITH':
      return any('instr(str, ?) = 1', [value as string]);
    default:
      // ENDSWITH: substr with an empty suffix is not "ends with"; the evaluator decides those.
      return value === '' ? any('str IS NOT NULL', []) : any('substr(str, -length(?)) = ?', [value as string, value as string]);
  }
}
