/**
 * What each keyword reads in each scope. The parser allows a keyword only where
 * `keywords.ts` says so; this table must cover the same pairs (a test checks it).
 * String fields are read through an "any value passes" callback so multi-valued fields
 * (users, node names, exception messages) need no array built per evaluation.
 */
import type { FilterScope } from './ast.ts';
import type {
  FilterAnnotations,
  FilterEdge,
  FilterException,
  FilterNode,
  FilterRootCauseEntity,
  FilterRootCauseService,
  FilterTrace,
} from '../model/model.ts';

/** Reads a flag. */
export type BoolGet<T> = (item: T) => boolean;
/** Reads a number; undefined when the item has none (then every comparison is false). */
export type NumberGet<T> = (item: T) => number | undefined;
/** True if some value of the field passes `test`; false when the field has no value. */
export type StringAny<T> = (item: T, test: (value: string) => boolean) => boolean;

/** The readers of one scope. */
export interface ScopeAccessors<T> {
  bool: Record<string, BoolGet<T>>;
  number: Record<string, NumberGet<T>>;
  string: Record<string, StringAny<T>>;
  annotations?: (item: T) => FilterAnnotations;
}

type Test = (value: string) => boolean;
const one = (value: string | undefined, test: Test) => value !== undefined && test(value);
function some<T>(items: readonly T[], read: (item: T) => string | undefined, test: Test): boolean {
  for (const item of items) if (one(read(item), test)) return true;
  return false;
}
const exceptionMessage = (e: FilterException) => e.message;

const trace: ScopeAccessors<FilterTrace> = {
  bool: { ok: (t) => t.ok, error: (t) => t.error, throttle: (t) => t.throttle, fault: (t) => t.fault, partial: (t) => t.partial },
  number: { responsetime: (t) => t.responseTime, duration: (t) => t.duration, 'http.status': (t) => t.http.status },
  string: {
    'http.url': (t, test) => one(t.http.url, test),
    'http.method': (t, test) => one(t.http.method, test),
    'http.useragent': (t, test) => one(t.http.useragent, test),
    'http.clientip': (t, test) => one(t.http.clientip, test),
    user: (t, test) => some(t.users, (u) => u, test),
    // At the top level the node-level fields mean "some node of the trace has it".
    name: (t, test) => some(t.services, (n) => n.name, test),
    type: (t, test) => some(t.services, (n) => n.type, test),
    message: (t, test) => {
      for (const n of t.services) if (some(n.exceptions, exceptionMessage, test)) return true;
      return false;
    },
    availabilityzone: (t, test) => some(t.services, (n) => n.availabilityZone, test),
    'instance.id': (t, test) => some(t.services, (n) => n.instanceId, test),
    'resource.arn': (t, test) => some(t.services, (n) => n.resourceArn, test),
  },
  annotations: (t) => t.annotations,
};

const service: ScopeAccessors<FilterNode> = {
  bool: {
    ok: (n) => n.ok,
    error: (n) => n.error,
    throttle: (n) => n.throttle,
    fault: (n) => n.fault,
    partial: (n) => n.partial,
    root: (n) => n.root,
    inferred: (n) => n.inferred,
  },
  number: { responsetime: (n) => n.responseTime, duration: (n) => n.duration, 'http.status': (n) => n.http.status },
  string: {
    'http.url': (n, test) => one(n.http.url, test),
    'http.method': (n, test) => one(n.http.method, test),
    'http.useragent': (n, test) => one(n.http.useragent, test),
    'http.clientip': (n, test) => one(n.http.clientip, test),
    user: (n, test) => some(n.users, (u) => u, test),
    name: (n, test) => test(n.name),
    type: (n, test) => test(n.type),
    message: (n, test) => some(n.exceptions, exceptionMessage, test),
    availabilityzone: (n, test) => one(n.availabilityZone, test),
    'instance.id': (n, test) => one(n.instanceId, test),
    'resource.arn': (n, test) => one(n.resourceArn, test),
  },
  annotations: (n) => n.annotations,
};

const edge: ScopeAccessors<FilterEdge> = {
  bool: { ok: (e) => e.ok, error: (e) => e.error, throttle: (e) => e.throttle, fault: (e) => e.fault },
  number: { responsetime: (e) => e.responseTime, 'http.status': (e) => e.http.status },
  string: { 'http.url': (e, test) => one(e.http.url, test), 'http.method': (e, test) => one(e.http.method, test) },
};

const causeService: ScopeAccessors<FilterRootCauseService> = {
  bool: { inferred: (s) => s.inferred },
  number: {},
  string: { name: (s, test) => test(s.name), type: (s, test) => test(s.type) },
};

const slowService: ScopeAccessors<FilterRootCauseService> = {
  ...causeService,
  number: { coverage: (s) => s.coverage },
};

const causeEntity: ScopeAccessors<FilterRootCauseEntity> = {
  bool: { remote: (e) => e.remote, first: (e) => e.index === 0, last: (e) => e.last },
  number: { index: (e) => e.index },
  string: { name: (e, test) => test(e.name), message: (e, test) => some(e.exceptions, exceptionMessage, test) },
};

const slowEntity: ScopeAccessors<FilterRootCauseEntity> = {
  bool: causeEntity.bool,
  number: { index: (e) => e.index, coverage: (e) => e.coverage },
  string: { name: (e, test) => test(e.name) },
};

const causeException: ScopeAccessors<FilterException> = {
  bool: { remote: (x) => x.remote },
  number: {},
  string: { name: (x, test) => test(x.name), message: (x, test) => test(x.message) },
};

/** Readers by scope; items are typed per scope above and erased here for the compiler. */
export const accessors: Readonly<Record<FilterScope, ScopeAccessors<never>>> = {
  trace,
  service,
  edge,
  causeService,
  causeEntity,
  causeException,
  slowService,
  slowEntity,
} as unknown as Record<FilterScope, ScopeAccessors<never>>;
