/**
 * The X-Ray filter expression language, as the console API (`/api/traces?filter=`), the
 * X-Ray API (GetTraceSummaries' FilterExpression) and the web UI use it. Import from here.
 *
 * Decisions where X-Ray's documentation is silent or where trace-console differs:
 * - Keywords and AND/OR/NOT/CONTAINS/… are case-insensitive; values and annotation keys
 *   are not. Precedence NOT/! > AND (also `&&` and juxtaposition) > OR (also `||`);
 *   parentheses group. `NOT` is an extension (X-Ray documents only `!`).
 * - Strings take double or single quotes; a backslash takes the next character literally.
 *   `annotation[KEY]` / `annotation["KEY with.dots"]` is an extension. `rootcause.error.*`
 *   is an extension mirroring `rootcause.fault.*` for 4xx.
 * - A blank expression matches every trace (`parseFilter` returns null).
 * - `group.name` / `group.arn` parse (so the UI can check them) but `compileFilter`
 *   refuses them with a positioned FilterSyntaxError: groups live in the X-Ray API
 *   (xray/groups.ts resolves them there), and silently matching everything would mislead.
 * - At the top level, node fields (`name`, `type`, `message`, `availabilityzone`,
 *   `instance.id`, `resource.arn`) match when some node of the trace matches.
 * - Root causes are approximations (see rootcauses.ts and rootcause-json.ts).
 * - Positions are 0-based offsets in UTF-16 code units (JavaScript string indices).
 */
export type { Expr, FilterScope, Selector } from './ast.ts';
export { FilterSyntaxError } from './errors.ts';
export { parseFilter } from './parser.ts';
export { compileFilter, compileAst, type TracePredicate } from './evaluate.ts';
export { toSqlPrefilter, type SqlPrefilter, type TraceColumns } from './sql.ts';
export { completions, keywords, type CompletionContext, type CompletionItem, type Completions, type KeywordInfo } from './complete.ts';
