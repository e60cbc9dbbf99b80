/**
 * The syntax tree of an X-Ray filter expression. Every node keeps its source span so
 * errors found after parsing (e.g. unsupported group filters) can still point at text.
 */

/** What a keyword refers to: the trace, or the item a `{ … }` block iterates over. */
export type FilterScope =
  | 'trace' // top level
  | 'service' // inside service(…) { }
  | 'edge' // inside edge(…, …) { }
  | 'causeService' // inside rootcause.fault|error.service { }
  | 'causeEntity' // inside rootcause.fault|error.entity { }
  | 'causeException' // inside rootcause.fault|error.exception { }
  | 'slowService' // inside rootcause.responsetime.service { }
  | 'slowEntity'; // inside rootcause.responsetime.entity { }

/** Comparison operators of number keywords. */
export type NumberOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
/** Comparison operators of string keywords. */
export type StringOp = '=' | '!=' | 'CONTAINS' | 'BEGINSWITH' | 'ENDSWITH';

/** Start (inclusive) and end (exclusive) offsets into the source. */
export interface Span {
  start: number;
  end: number;
}

/** `a AND b AND …` (explicit or juxtaposed). */
export interface AndExpr extends Span {
  kind: 'and';
  items: Expr[];
}
/** `a OR b OR …`. */
export interface OrExpr extends Span {
  kind: 'or';
  items: Expr[];
}
/** `!x` or `NOT x`. */
export interface NotExpr extends Span {
  kind: 'not';
  expr: Expr;
}
/** `ok`, `ok = false`, `ok != true`: normalised to "flag equals value". */
export interface BoolPred extends Span {
  kind: 'bool';
  keyword: string;
  value: boolean;
}
/** `responsetime > 5`. */
export interface NumberPred extends Span {
  kind: 'number';
  keyword: string;
  op: NumberOp;
  value: number;
}
/** `http.url CONTAINS "x"`, or bare `http.url` (op `set`: the field has a value). */
export interface StringPred extends Span {
  kind: 'string';
  keyword: string;
  op: StringOp | 'set';
  value: string;
}
/**
 * `annotation.k …`. `set` is the bare form (set, or true for a boolean), `unset` is
 * `!annotation.k`; otherwise the literal's type picks the operator family.
 */
export type AnnotationPred = Span & { kind: 'annotation'; key: string } & (
    | { op: 'set' | 'unset'; value?: undefined }
    | { op: NumberOp; value: number }
    | { op: StringOp; value: string }
    | { op: '=' | '!='; value: boolean }
  );
/** Which nodes a `service(…)`/`edge(…)` argument matches; an empty selector matches all. */
export interface Selector {
  name?: string;
  type?: string;
  accountId?: string;
}
/** `service(sel) { filter }`: some node matching `sel` satisfies `filter` (null: no block). */
export interface ServiceExpr extends Span {
  kind: 'service';
  selector: Selector;
  filter: Expr | null;
}
/** `edge(a, b) { filter }`: some call from a node matching `a` to one matching `b`. */
export interface EdgeExpr extends Span {
  kind: 'edge';
  source: Selector;
  destination: Selector;
  filter: Expr | null;
}
/** `group.name = "x"` / `group.arn = "x"` (parsed; compileFilter rejects it: no groups here). */
export interface GroupPred extends Span {
  kind: 'group';
  field: 'name' | 'arn';
  op: '=' | '!=';
  value: string;
}
/** `rootcause.fault.service { … }` and friends. */
export interface RootCauseExpr extends Span {
  kind: 'rootcause';
  category: 'fault' | 'error' | 'responsetime';
  target: 'service' | 'entity' | 'exception';
  filter: Expr | null;
}
/** `rootcause.json = #[ … ]`: the literal is kept as parsed JSON. */
export interface RootCauseJson extends Span {
  kind: 'rootcauseJson';
  op: '=' | '!=';
  value: unknown;
}

/** Any filter expression node. */
export type Expr =
  | AndExpr
  | OrExpr
  | NotExpr
  | BoolPred
  | NumberPred
  | StringPred
  | AnnotationPred
  | ServiceExpr
  | EdgeExpr
  | GroupPred
  | RootCauseExpr
  | RootCauseJson;
