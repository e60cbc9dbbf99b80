/**
 * Compiles a parsed filter into a tree of closures, once per query, so evaluating it over
 * many traces allocates nothing: every reader, comparison and literal is bound at compile
 * time.
 *
 * Semantics: top-level keywords read the trace; inside `service(…) { f }` some node that
 * matches the selector must satisfy `f` (keywords read the node), likewise `edge(a, b)`
 * for calls and `rootcause.*` for root causes. A comparison needs a value: `http.status
 * != 500` is false for a trace without a status. Multi-valued fields (users, annotation
 * values, node names at the top level) match when any value does; `annotation.k op v`
 * compares only values of the literal's type.
 */
import { accessors, type ScopeAccessors } from './accessors.ts';
import type { Expr, FilterScope, NumberOp, Selector, StringOp } from './ast.ts';
import { FilterSyntaxError } from './errors.ts';
import type { AnnotationValue, FilterAnnotations, FilterRootCause, FilterTrace } from '../model/model.ts';
import { parseFilter } from './parser.ts';
import { compileRootCauseJson } from '../model/rootcause-json.ts';

/** A compiled filter. */
export type TracePredicate = (trace: FilterTrace) => boolean;

// Items differ per scope (trace, node, edge, …); the parser guarantees the pairing.
type Item = any;
type Pred = (item: Item) => boolean;

/** Parses and compiles a filter expression; a blank one matches every trace. Throws FilterSyntaxError. */
export function compileFilter(source: string): TracePredicate {
  const ast = parseFilter(source);
  return ast === null ? () => true : compileAst(ast);
}

/** Compiles an already parsed expression (top-level scope). Throws FilterSyntaxError for group filters. */
export function compileAst(expr: Expr): TracePredicate {
  return compile(expr, 'trace');
}

function compile(expr: Expr, scope: FilterScope): Pred {
  const read = accessors[scope] as ScopeAccessors<Item>;
  switch (expr.kind) {
    case 'and': {
      const parts = expr.items.map((e) => compile(e, scope));
      if (parts.length === 2) {
        const [a, b] = parts;
        return (o) => a(o) && b(o);
      }
      return (o) => {
        for (const p of parts) if (!p(o)) return false;
        return true;
      };
    }
    case 'or': {
      const parts = expr.items.map((e) => compile(e, scope));
      if (parts.length === 2) {
        const [a, b] = parts;
        return (o) => a(o) || b(o);
      }
      return (o) => {
        for (const p of parts) if (p(o)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compile(expr.expr, scope);
      return (o) => !inner(o);
    }
    case 'bool': {
      const get = read.bool[expr.keyword];
      return expr.value ? get : (o) => !get(o);
    }
    case 'number': {
      const get = read.number[expr.keyword];
      const test = numberTest(expr.op, expr.value);
      return (o) => {
        const v = get(o);
        return v !== undefined && test(v);
      };
    }
    case 'string': {
      const any = read.string[expr.keyword];
      const test = expr.op === 'set' ? () => true : stringTest(expr.op, expr.value);
      return (o) => any(o, test);
    }
    case 'annotation':
      return annotationPredicate(expr.key, expr.op, expr.value, read.annotations!);
    case 'service': {
      const matches = selectorTest(expr.selector);
      const inner = expr.filter === null ? null : compile(expr.filter, 'service');
      return (t: FilterTrace) => {
        for (const n of t.services) if (matches(n.name, n.type, n.accountId) && (inner === null || inner(n))) return true;
        return false;
      };
    }
    case 'edge': {
      // Edges carry no account ids, so an account.id in edge selectors is not checked.
      const from = selectorTest({ ...expr.source, accountId: undefined });
      const to = selectorTest({ ...expr.destination, accountId: undefined });
      const inner = expr.filter === null ? null : compile(expr.filter, 'edge');
      return (t: FilterTrace) => {
        for (const e of t.edges) {
          if (from(e.source, e.sourceType, undefined) && to(e.destination, e.destinationType, undefined) && (inner === null || inner(e))) return true;
        }
        return false;
      };
    }
    case 'rootcause':
      return rootCausePredicate(expr.category, expr.target, expr.filter);
    case 'rootcauseJson': {
      const test = compileRootCauseJson(expr.value);
      return expr.op === '=' ? test : (t) => !test(t);
    }
    case 'group':
      throw new FilterSyntaxError(expr.start, `group.${expr.field} works only in the X-Ray API (GetTraceSummaries, which knows the groups); here, filter on the group's expression instead`);
  }
}

function numberTest(op: NumberOp, n: number): (v: number) => boolean {
  switch (op) {
    case '=':
      return (v) => v === n;
    case '!=':
      return (v) => v !== n && v === v; // NaN is "no value", not "different"
    case '<':
      return (v) => v < n;
    case '<=':
      return (v) => v <= n;
    case '>':
      return (v) => v > n;
    case '>=':
      return (v) => v >= n;
  }
}

function stringTest(op: StringOp, s: string): (v: string) => boolean {
  switch (op) {
    case '=':
      return (v) => v === s;
    case '!=':
      return (v) => v !== s;
    case 'CONTAINS':
      return (v) => v.includes(s);
    case 'BEGINSWITH':
      return (v) => v.startsWith(s);
    case 'ENDSWITH':
      return (v) => v.endsWith(s);
  }
}

function annotationPredicate(key: string, op: string, value: AnnotationValue | undefined, read: (o: Item) => FilterAnnotations): Pred {
  const valuesOf = (o: Item): AnnotationValue[] | undefined => {
    const annotations = read(o);
    // hasOwn: a key like "constructor" must not find Object.prototype's.
    return Object.hasOwn(annotations, key) ? annotations[key] : undefined;
  };
  if (op === 'unset') return (o) => (valuesOf(o)?.length ?? 0) === 0;
  if (op === 'set') {
    // "set, or the boolean value for a boolean": a false-only key does not count.
    return (o) => valuesOf(o)?.some(notFalse) ?? false;
  }
  let test: (v: AnnotationValue) => boolean;
  if (typeof value === 'number') {
    const n = numberTest(op as NumberOp, value);
    test = (v) => typeof v === 'number' && n(v);
  } else if (typeof value === 'string') {
    const s = stringTest(op as StringOp, value);
    test = (v) => typeof v === 'string' && s(v);
  } else {
    test = op === '=' ? (v) => v === value : (v) => typeof v === 'boolean' && v !== value;
  }
  return (o) => {
    const values = valuesOf(o);
    if (values === undefined) return false;
    for (const v of values) if (test(v)) return true;
    return false;
  };
}

const notFalse = (v: AnnotationValue) => v !== false;

function selectorTest(selector: Selector): (name: string, type: string, accountId: string | undefined) => boolean {
  const { name, type, accountId } = selector;
  return (n, t, a) => (name === undefined || n === name) && (type === undefined || t === type) && (accountId === undefined || a === accountId);
}

function rootCausePredicate(category: 'fault' | 'error' | 'responsetime', target: 'service' | 'entity' | 'exception', filter: Expr | null): Pred {
  const list = (t: FilterTrace): FilterRootCause[] | undefined =>
    category === 'fault' ? t.faultRootCauses : category === 'error' ? t.errorRootCauses : t.responseTimeRootCauses;
  const scope: FilterScope =
    target === 'service' ? (category === 'responsetime' ? 'slowService' : 'causeService') : target === 'entity' ? (category === 'responsetime' ? 'slowEntity' : 'causeEntity') : 'causeException';
  const inner = filter === null ? () => true : compile(filter, scope);
  return (t: FilterTrace) => {
    const causes = list(t);
    if (causes === undefined) return false;
    for (const cause of causes) {
      if (target === 'service') {
        if (inner(cause.service)) return true;
        continue;
      }
      for (const entity of cause.entities) {
        if (target === 'entity') {
          if (inner(entity)) return true;
          continue;
        }
        for (const exception of entity.exceptions) if (inner(exception)) return true;
      }
    }
    return false;
  };
}
