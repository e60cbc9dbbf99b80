/**
 * Completion for the web console's filter box: what may come at the cursor (keywords of
 * the current scope, operators after a keyword, values, service names inside
 * `service("`, annotation keys after `annotation.`). Works on the tolerant token stream,
 * so half-typed input never throws.
 */
import type { FilterScope } from './ast.ts';
import { booleanOps, keywordByName, keywordsIn, numberOps, stringOps } from './keywords.ts';
import { lex, type Token } from './lexer.ts';

export { keywords, type KeywordInfo } from './keywords.ts';

/** One suggestion: what the list shows, a one-line explanation, the text that replaces [from, to). */
export interface CompletionItem {
  label: string;
  detail: string;
  insert: string;
}

/** Suggestions and the source range they replace. */
export interface Completions {
  from: number;
  to: number;
  items: CompletionItem[];
}

/** What the console knows, for value suggestions. */
export interface CompletionContext {
  services: string[];
  annotationKeys: string[];
}

const opDocs: Record<string, string> = {
  '=': 'equals',
  '!=': 'does not equal',
  '<': 'less than',
  '<=': 'at most',
  '>': 'greater than',
  '>=': 'at least',
  CONTAINS: 'contains the text',
  BEGINSWITH: 'starts with',
  ENDSWITH: 'ends with',
};
const httpMethods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const wordOps = new Set(['contains', 'beginswith', 'endswith']);
const connectives = new Set(['and', 'or', 'not', '&&', '||', '!']);
const blockScopes: Record<string, FilterScope> = {
  service: 'service',
  edge: 'edge',
  'rootcause.fault.service': 'causeService',
  'rootcause.fault.entity': 'causeEntity',
  'rootcause.fault.exception': 'causeException',
  'rootcause.error.service': 'causeService',
  'rootcause.error.entity': 'causeEntity',
  'rootcause.error.exception': 'causeException',
  'rootcause.responsetime.service': 'slowService',
  'rootcause.responsetime.entity': 'slowEntity',
};

/** Suggestions for the cursor position (0-based offset into `source`). */
export function completions(source: string, cursor: number, ctx: CompletionContext): Completions {
  const at = Math.max(0, Math.min(cursor, source.length));
  const prior = lex(source.slice(0, at));
  prior.pop(); // eof
  const full = lex(source);
  const typing = prior.length > 0 && prior[prior.length - 1].end === at ? prior[prior.length - 1] : undefined;

  if (typing?.kind === 'string' && typing.closed === false) {
    // Inside quotes: replace the contents; close the quote only if the user has not.
    const whole = full.find((t) => t.start === typing.start);
    const closed = whole !== undefined && whole.closed !== false;
    const to = closed ? whole.end - 1 : at;
    const items = quotedValues(prior.slice(0, -1), ctx).filter((v) => startsWith(v, typing.value as string));
    const quote = typing.text[0];
    return { from: typing.start + 1, to, items: items.map((v) => ({ label: v, detail: 'value', insert: closed ? v : `${v}${quote}` })) };
  }
  if (typing?.kind === 'word') {
    const to = full.find((t) => t.start === typing.start)?.end ?? at;
    if (typing.text.toLowerCase().startsWith('annotation.')) {
      const prefix = typing.text.slice('annotation.'.length);
      const items = ctx.annotationKeys.filter((k) => startsWith(k, prefix)).map((k) => ({ label: k, detail: 'annotation key', insert: k }));
      return { from: typing.start + 'annotation.'.length, to, items };
    }
    const items = suggest(prior.slice(0, -1), ctx).filter((i) => startsWith(i.label, typing.text));
    return { from: typing.start, to, items };
  }
  return { from: at, to: at, items: suggest(prior, ctx) };
}

function startsWith(label: string, prefix: string): boolean {
  return label.toLowerCase().startsWith(prefix.toLowerCase());
}

/** Where the tokens leave us: scope (from open blocks) and the innermost open "(" owner. */
function structure(tokens: Token[]): { scope: FilterScope; owner: string | undefined; closedOwner: string | undefined } {
  const scopes: FilterScope[] = ['trace'];
  const owners: Array<string | undefined> = [];
  let closedOwner: string | undefined;
  tokens.forEach((t, i) => {
    const before = tokens[i - 1];
    const lower = before?.kind === 'word' ? before.text.toLowerCase() : undefined;
    if (t.text === '(' && t.kind === 'punct') owners.push(lower);
    else if (t.text === ')' && t.kind === 'punct') closedOwner = owners.pop();
    else if (t.text === '{' && t.kind === 'punct') {
      const owner = lower ?? (before?.text === ')' ? closedOwner : undefined);
      scopes.push(blockScopes[owner ?? ''] ?? scopes[scopes.length - 1]);
    } else if (t.text === '}' && t.kind === 'punct' && scopes.length > 1) scopes.pop();
  });
  return { scope: scopes[scopes.length - 1], owner: owners[owners.length - 1], closedOwner };
}

function suggest(prior: Token[], ctx: CompletionContext): CompletionItem[] {
  const { scope, owner, closedOwner } = structure(prior);
  const last = prior[prior.length - 1];
  const lower = last?.kind === 'word' ? last.text.toLowerCase() : undefined;
  const text = last?.text;
  // group.* is left out: it parses, but only the X-Ray API (not the console's filter) resolves groups.
  const terms = () => keywordsIn(scope).filter((k) => !k.name.startsWith('group.')).map((k) => ({ label: k.name, detail: k.doc, insert: k.insert ?? k.name }));
  const joins = [
    { label: 'AND', detail: 'both must match', insert: 'AND ' },
    { label: 'OR', detail: 'either may match', insert: 'OR ' },
  ];
  if (last === undefined || text === '{' || (text === '(' && owner === undefined) || connectives.has(lower ?? text ?? '')) return terms();
  if ((text === '(' || text === ',') && (owner === 'service' || owner === 'edge')) {
    return [...ctx.services.map((s) => ({ label: s, detail: 'service', insert: JSON.stringify(s) })), { label: 'id(', detail: 'select by name, type, account', insert: 'id(' }];
  }
  if ((text === '(' || text === ',') && owner === 'id') {
    return ['name', 'type', 'account.id'].map((k) => ({ label: `${k}:`, detail: `id() ${k}`, insert: `${k}: ` }));
  }
  if (text === '[' && prior[prior.length - 2]?.text.toLowerCase() === 'annotation') {
    return ctx.annotationKeys.map((k) => ({ label: k, detail: 'annotation key', insert: k }));
  }
  if (text === ':' && owner === 'id') return ctx.services.map((s) => ({ label: s, detail: 'service', insert: JSON.stringify(s) }));
  const keywordBefore = operandKeyword(prior, prior.length - 1);
  if (keywordBefore !== undefined) return [...operators(keywordBefore), ...(keywordBefore.bare ? joins : [])];
  const isOperator = (last.kind === 'op' && text !== '!') || wordOps.has(lower ?? '');
  if (isOperator) return values(operandKeyword(prior, prior.length - 2), text!);
  const block = lower !== undefined && lower.startsWith('rootcause.') && lower !== 'rootcause.json';
  const afterSelector = text === ')' && (closedOwner === 'service' || closedOwner === 'edge');
  const open = block || afterSelector ? [{ label: '{', detail: 'filter applied to each match', insert: '{ ' }] : [];
  return [...open, ...joins, ...terms()];
}

/** The keyword a token at `index` ends (`http.url`, `annotation.k`, `annotation[k]`), with its type. */
function operandKeyword(tokens: Token[], index: number): { type: string; name: string; bare: boolean } | undefined {
  const t = tokens[index];
  if (t === undefined) return undefined;
  if (t.kind === 'punct' && t.text === ']' && tokens[index - 2]?.text === '[' && tokens[index - 3]?.text.toLowerCase() === 'annotation') {
    return { type: 'annotation', name: 'annotation', bare: true };
  }
  if (t.kind !== 'word') return undefined;
  const lower = t.text.toLowerCase();
  if (lower.startsWith('annotation.')) return { type: 'annotation', name: 'annotation', bare: true };
  const info = keywordByName.get(lower);
  if (info === undefined || info.type === 'complex') return undefined;
  return { type: info.type, name: info.name, bare: info.type !== 'number' };
}

function operators(keyword: { type: string }): CompletionItem[] {
  const ops = keyword.type === 'boolean' ? booleanOps : keyword.type === 'number' ? numberOps : keyword.type === 'string' ? stringOps : [...numberOps, ...stringOps.slice(2)];
  return ops.map((op) => ({ label: op, detail: opDocs[op], insert: `${op} ` }));
}

function values(keyword: { type: string; name: string } | undefined, op: string): CompletionItem[] {
  if (keyword?.type === 'boolean' || (keyword?.type === 'annotation' && (op === '=' || op === '!='))) {
    const bools = ['true', 'false'].map((v) => ({ label: v, detail: 'boolean', insert: v }));
    return keyword.type === 'boolean' ? bools : [...bools, { label: '""', detail: 'string', insert: '""' }];
  }
  if (keyword?.name === 'http.method') return httpMethods.map((m) => ({ label: m, detail: 'HTTP method', insert: `"${m}"` }));
  if (keyword?.type === 'string' || (keyword?.type === 'annotation' && wordOps.has(op.toLowerCase()))) return [{ label: '""', detail: 'quoted string', insert: '""' }];
  return [];
}

/** Values that fit inside the string being typed, from the tokens before it. */
function quotedValues(before: Token[], ctx: CompletionContext): string[] {
  const { owner } = structure(before);
  const last = before[before.length - 1]?.text;
  if ((last === '(' || last === ',') && (owner === 'service' || owner === 'edge')) return ctx.services;
  if (last === ':' && owner === 'id' && before[before.length - 2]?.text.toLowerCase() === 'name') return ctx.services;
  if (last === '[' && before[before.length - 2]?.text.toLowerCase() === 'annotation') return ctx.annotationKeys;
  if (before[before.length - 2]?.text.toLowerCase() === 'http.method') return httpMethods;
  return [];
}
