/**
 * The keyword table: every keyword of the filter language, its value type, where it may
 * appear and a one-line doc. The parser validates against it, the completer and the web
 * UI list it, so the language is described in exactly one place.
 */
import type { FilterScope, NumberOp, StringOp } from './ast.ts';

/** Value type of a keyword; `complex` ones have their own syntax (service(…), annotation.k …). */
export type KeywordType = 'boolean' | 'number' | 'string' | 'complex';

/** One keyword of the language, as listed for users. */
export interface KeywordInfo {
  /** Lower-case spelling (keywords match case-insensitively). */
  name: string;
  type: KeywordType;
  /** One line for the completion popup and the help page. */
  doc: string;
  /** Where it is valid; see `scopeLabels`. */
  scopes: readonly FilterScope[];
  /** What completion inserts (defaults to `name`). */
  insert?: string;
}

const T: FilterScope = 'trace';
const everywhere: FilterScope[] = ['trace', 'service', 'edge'];
const traceAndService: FilterScope[] = ['trace', 'service'];

/** Every keyword, in the order the UI lists them. */
export const keywords: readonly KeywordInfo[] = [
  { name: 'ok', type: 'boolean', doc: 'response was 2xx (no error, fault or throttle)', scopes: everywhere },
  { name: 'error', type: 'boolean', doc: 'client error: 4xx', scopes: everywhere },
  { name: 'throttle', type: 'boolean', doc: 'throttled: 429 (on the trace: any segment)', scopes: everywhere },
  { name: 'fault', type: 'boolean', doc: 'server error: 5xx', scopes: everywhere },
  { name: 'partial', type: 'boolean', doc: 'some segment is still in progress', scopes: traceAndService },
  { name: 'root', type: 'boolean', doc: 'the service is the entry point of the trace', scopes: ['service'] },
  { name: 'inferred', type: 'boolean', doc: 'node inferred from a remote/aws subsegment (it sent no segment)', scopes: ['service', 'causeService', 'slowService'] },
  { name: 'remote', type: 'boolean', doc: 'root-cause entity or exception is remote (downstream)', scopes: ['causeEntity', 'causeException', 'slowEntity'] },
  { name: 'first', type: 'boolean', doc: 'first entity of the root-cause entity path', scopes: ['causeEntity', 'slowEntity'] },
  { name: 'last', type: 'boolean', doc: 'last entity of the root-cause entity path (the culprit)', scopes: ['causeEntity', 'slowEntity'] },
  { name: 'responsetime', type: 'number', doc: 'seconds the service took to respond (root segment end - start)', scopes: everywhere },
  { name: 'duration', type: 'number', doc: 'seconds from the earliest start to the latest end, downstream calls included', scopes: traceAndService },
  { name: 'http.status', type: 'number', doc: 'HTTP response status code', scopes: everywhere },
  { name: 'index', type: 'number', doc: '0-based position in the root-cause entity path', scopes: ['causeEntity', 'slowEntity'] },
  { name: 'coverage', type: 'number', doc: 'entity response time / root response time (0..1)', scopes: ['slowService', 'slowEntity'] },
  { name: 'http.url', type: 'string', doc: 'request URL', scopes: everywhere },
  { name: 'http.method', type: 'string', doc: 'request method (GET, POST, …)', scopes: everywhere },
  { name: 'http.useragent', type: 'string', doc: 'request User-Agent', scopes: traceAndService },
  { name: 'http.clientip', type: 'string', doc: 'client IP address of the request', scopes: traceAndService },
  { name: 'user', type: 'string', doc: 'user recorded on a segment', scopes: traceAndService },
  { name: 'name', type: 'string', doc: 'service, entity or exception name', scopes: ['trace', 'service', 'causeService', 'causeEntity', 'causeException', 'slowService', 'slowEntity'] },
  { name: 'type', type: 'string', doc: 'service type (AWS::EC2::Instance, remote, service, …)', scopes: ['trace', 'service', 'causeService', 'slowService'] },
  { name: 'message', type: 'string', doc: 'exception message', scopes: ['trace', 'service', 'causeEntity', 'causeException'] },
  { name: 'availabilityzone', type: 'string', doc: 'EC2 availability zone of a service', scopes: traceAndService },
  { name: 'instance.id', type: 'string', doc: 'EC2 instance id of a service', scopes: traceAndService },
  { name: 'resource.arn', type: 'string', doc: 'ARN of the resource a service runs on', scopes: traceAndService },
  { name: 'annotation', type: 'complex', doc: 'annotation.KEY: bare (set), !annotation.KEY (not set), or compared to a number, "string" or true/false', scopes: traceAndService, insert: 'annotation.' },
  { name: 'service', type: 'complex', doc: 'service("name") { filter }: some node named so (service() = any node) matches the filter', scopes: [T], insert: 'service(' },
  { name: 'edge', type: 'complex', doc: 'edge("caller", "callee") { filter }: some call between the two nodes matches the filter', scopes: [T], insert: 'edge(' },
  { name: 'group.name', type: 'complex', doc: 'X-Ray group name (the X-Ray API\'s GetTraceSummaries only)', scopes: [T] },
  { name: 'group.arn', type: 'complex', doc: 'X-Ray group ARN (the X-Ray API\'s GetTraceSummaries only)', scopes: [T] },
  { name: 'rootcause.fault.service', type: 'complex', doc: 'a service at the root of a fault { name, type, inferred }', scopes: [T], insert: 'rootcause.fault.service { ' },
  { name: 'rootcause.fault.entity', type: 'complex', doc: 'an entity on the path to a fault { name, remote, first, last, index, message }', scopes: [T], insert: 'rootcause.fault.entity { ' },
  { name: 'rootcause.fault.exception', type: 'complex', doc: 'an exception at the root of a fault { name, message, remote }', scopes: [T], insert: 'rootcause.fault.exception { ' },
  { name: 'rootcause.error.service', type: 'complex', doc: 'a service at the root of an error (4xx) { name, type, inferred }', scopes: [T], insert: 'rootcause.error.service { ' },
  { name: 'rootcause.error.entity', type: 'complex', doc: 'an entity on the path to an error { name, remote, first, last, index, message }', scopes: [T], insert: 'rootcause.error.entity { ' },
  { name: 'rootcause.error.exception', type: 'complex', doc: 'an exception at the root of an error { name, message, remote }', scopes: [T], insert: 'rootcause.error.exception { ' },
  { name: 'rootcause.responsetime.service', type: 'complex', doc: 'the service that dominates the response time { name, type, inferred, coverage }', scopes: [T], insert: 'rootcause.responsetime.service { ' },
  { name: 'rootcause.responsetime.entity', type: 'complex', doc: 'an entity on the slow path { name, remote, first, last, index, coverage }', scopes: [T], insert: 'rootcause.responsetime.entity { ' },
  { name: 'rootcause.json', type: 'complex', doc: 'rootcause.json = #[{ "Services": [ … ] }]: root causes as in GetTraceSummaries', scopes: [T], insert: 'rootcause.json = #[' },
];

/** Keyword lookup by lower-case name. */
export const keywordByName: ReadonlyMap<string, KeywordInfo> = new Map(keywords.map((k) => [k.name, k]));

/** Operators of number keywords, in the order they are offered. */
export const numberOps: readonly NumberOp[] = ['=', '!=', '<', '<=', '>', '>='];
/** Operators of string keywords (the word ones match case-insensitively). */
export const stringOps: readonly StringOp[] = ['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH'];
/** Operators of boolean keywords. */
export const booleanOps: readonly string[] = ['=', '!='];

/** How each scope is named in messages ("… is not valid inside edge() { }"). */
export const scopeLabels: Readonly<Record<FilterScope, string>> = {
  trace: 'at the top level',
  service: 'inside service() { }',
  edge: 'inside edge() { }',
  causeService: 'inside rootcause.fault|error.service { }',
  causeEntity: 'inside rootcause.fault|error.entity { }',
  causeException: 'inside rootcause.fault|error.exception { }',
  slowService: 'inside rootcause.responsetime.service { }',
  slowEntity: 'inside rootcause.responsetime.entity { }',
};

/** Keywords valid in a scope, in table order. */
export function keywordsIn(scope: FilterScope): KeywordInfo[] {
  return keywords.filter((k) => k.scopes.includes(scope));
}

/** The known keyword closest to a misspelt word, if it is close enough to be a likely typo. */
export function nearestKeyword(word: string): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of keywords) {
    const d = editDistance(w, k.name);
    if (d < bestDistance) {
      best = k.name;
      bestDistance = d;
    }
  }
  // Two edits, or a third of the word for long ones, still reads as a typo; more is a guess.
  return bestDistance <= Math.max(2, Math.floor(w.length / 3)) ? best : undefined;
}

/** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions ("resopnse"). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) rows[i].push(i === 0 ? j : 0);
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}
