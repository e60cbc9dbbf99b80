/**
 * `group=NAME` on the console's `/api/traces` and `/api/service-graph`: the group's saved
 * FilterExpression (from CreateGroup / UpdateGroup) ANDed with the request's own filter, as
 * choosing a group in the X-Ray console narrows the trace list and the map.
 */
import { parseFilter, type Expr } from '../filter/index.ts';
import { appError } from '@tfa/service-kit/errors';
import { compileExpr, type CompiledQuery } from './query.ts';

/** The FilterExpression of the group named so ('' for one that matches everything), or undefined for no such group. */
export type GroupLookup = (name: string) => string | undefined;

/**
 * Compiles `filter` AND the group's expression. Throws FilterSyntaxError for a bad `filter`
 * (positions are the filter's own) and `not_found` for an unknown group.
 */
export function compileWithGroup(filter: string | undefined, group: string | undefined, lookup: GroupLookup | undefined): CompiledQuery {
  const own = filter === undefined ? null : parseFilter(filter);
  if (group === undefined || group === '') return compileExpr(own);
  const expression = lookup?.(group);
  if (expression === undefined) throw appError('not_found', `no group ${JSON.stringify(group)} in this console (POST /Groups lists them; POST /CreateGroup makes one)`);
  const saved = expression.trim() === '' ? null : parseFilter(expression);
  if (saved === null) return compileExpr(own);
  if (own === null) return compileExpr(saved);
  return compileExpr({ kind: 'and', items: [own, saved], start: own.start, end: own.end } as Expr);
}
