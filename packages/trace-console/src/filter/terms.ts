/**
 * Parsing of single terms: a keyword with its operator and value, annotation.KEY,
 * service(…)/edge(…) with their id() selectors, group.*, rootcause.*. The keyword
 * table decides the value type and where a keyword is allowed.
 */
import type { AnnotationPred, Expr, FilterScope, NumberOp, RootCauseExpr, Selector, StringOp } from './ast.ts';
import { FilterSyntaxError, orList } from './errors.ts';
import { keywordByName, nearestKeyword, numberOps, scopeLabels, stringOps, type KeywordInfo } from './keywords.ts';
import type { Token } from './lexer.ts';

/**
 * What a term needs from the parser. The parser (parser.ts) implements it; it is declared
 * here so that the two modules do not import each other.
 */
export interface Parser {
  readonly source: string;
  /** What keywords refer to here: the trace, or the item a `{ }` block iterates over. */
  scope: FilterScope;
  /** What the last term could still have taken, for "expected …" lists. */
  openTail: string[];
  peek(offset?: number): Token;
  next(): Token;
  lastEnd(): number;
  isWord(token: Token, word: string): boolean;
  isSymbol(token: Token, symbol: string): boolean;
  fail(token: Token, what: string, expected: readonly string[]): never;
  unclosed(token: Token): never;
  expectSymbol(symbol: string, after: string): Token;
  parseBlock(scope: FilterScope): Expr | null;
}

/** Labels of what can start a term, for "expected …" lists. */
export const termStart: readonly string[] = ['keyword', '!', 'NOT', '('];

const wordOps = new Set(['CONTAINS', 'BEGINSWITH', 'ENDSWITH']);
const symbolOps = new Set(['=', '!=', '<', '<=', '>', '>=']);
const reserved = new Set(['and', 'or', 'not', 'true', 'false', 'contains', 'beginswith', 'endswith']);

/** Parses one keyword term at the current token. */
export function parseTerm(p: Parser): Expr {
  const token = p.peek();
  const lower = token.text.toLowerCase();
  if (token.kind !== 'word' || reserved.has(lower)) p.fail(token, 'a filter term (a keyword, "!", NOT or "(")', termStart);
  if (lower === 'annotation' || lower.startsWith('annotation.')) {
    checkScope(p, token, keywordByName.get('annotation')!);
    return annotationTerm(p);
  }
  const info = keywordByName.get(lower);
  if (info === undefined) {
    const suggestion = nearestKeyword(lower);
    const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
    throw new FilterSyntaxError(token.start, `unknown keyword "${token.text}"${hint}`, { expected: ['keyword'], suggestion });
  }
  checkScope(p, token, info);
  p.next();
  if (info.type === 'boolean') return booleanTerm(p, info.name, token.start);
  if (info.type === 'number') return numberTerm(p, info.name, token.start);
  if (info.type === 'string') return stringTerm(p, info.name, token.start);
  if (info.name === 'service') return serviceTerm(p, token.start);
  if (info.name === 'edge') return edgeTerm(p, token.start);
  if (info.name === 'rootcause.json') return rootCauseJson(p, token.start);
  if (info.name.startsWith('group.')) return groupTerm(p, info.name, token.start);
  return rootCauseTerm(p, info.name, token.start);
}

function checkScope(p: Parser, token: Token, info: KeywordInfo): void {
  if (info.scopes.includes(p.scope)) return;
  const where = info.scopes.map((s) => scopeLabels[s]).join(' or ');
  throw new FilterSyntaxError(token.start, `${info.name} is not valid ${scopeLabels[p.scope]}, only ${where}`, { expected: ['keyword'] });
}

/** The comparison operator at the token (word operators upper-cased), or undefined. */
function operatorAt(token: Token): string | undefined {
  if (token.kind === 'op' && symbolOps.has(token.text)) return token.text;
  const upper = token.text.toUpperCase();
  return token.kind === 'word' && wordOps.has(upper) ? upper : undefined;
}

function booleanTerm(p: Parser, keyword: string, start: number): Expr {
  const opToken = p.peek();
  const op = operatorAt(opToken);
  if (op === undefined) {
    p.openTail = ['operator'];
    return { kind: 'bool', keyword, value: true, start, end: p.lastEnd() };
  }
  if (op !== '=' && op !== '!=') p.fail(opToken, `"=" or "!=" after boolean keyword ${keyword}`, ['=', '!=']);
  p.next();
  const literal = booleanLiteral(p, op);
  return { kind: 'bool', keyword, value: (op === '=') === literal, start, end: p.lastEnd() };
}

function booleanLiteral(p: Parser, op: string): boolean {
  const token = p.peek();
  if (!p.isWord(token, 'true') && !p.isWord(token, 'false')) p.fail(token, `true or false after ${op}`, ['true', 'false']);
  p.next();
  return p.isWord(token, 'true');
}

function numberTerm(p: Parser, keyword: string, start: number): Expr {
  const opToken = p.peek();
  const op = operatorAt(opToken);
  if (op === undefined || !numberOps.includes(op as NumberOp)) p.fail(opToken, `${orList(numberOps)} after number keyword ${keyword}`, numberOps);
  p.next();
  return { kind: 'number', keyword, op: op as NumberOp, value: numberLiteral(p, op), start, end: p.lastEnd() };
}

function numberLiteral(p: Parser, op: string): number {
  const token = p.peek();
  if (token.kind !== 'number') p.fail(token, `a number after ${op}`, ['a number']);
  p.next();
  return token.value as number;
}

function stringTerm(p: Parser, keyword: string, start: number): Expr {
  const opToken = p.peek();
  const op = operatorAt(opToken);
  if (op === undefined) {
    p.openTail = ['operator'];
    return { kind: 'string', keyword, op: 'set', value: '', start, end: p.lastEnd() };
  }
  if (!stringOps.includes(op as StringOp)) p.fail(opToken, `${orList(stringOps)} after string keyword ${keyword}`, stringOps);
  p.next();
  return { kind: 'string', keyword, op: op as StringOp, value: stringLiteral(p, `after ${op}`), start, end: p.lastEnd() };
}

/** A closed quoted string; `where` finishes "expected a quoted string …". */
function stringLiteral(p: Parser, where: string): string {
  const token = p.peek();
  if (token.kind !== 'string') p.fail(token, `a quoted string ${where}`, ['a quoted string']);
  if (token.closed === false) p.unclosed(token);
  p.next();
  return token.value as string;
}

function annotationTerm(p: Parser): AnnotationPred {
  const token = p.next();
  const start = token.start;
  let key: string;
  if (token.text.length > 'annotation'.length) {
    key = token.text.slice('annotation.'.length);
    if (key === '') p.fail(p.peek(), 'an annotation key after "annotation."', ['annotation key']);
  } else {
    p.expectSymbol('[', 'annotation (annotation.KEY or annotation[KEY])');
    const keyToken = p.peek();
    const bareKey = keyToken.kind === 'word' || keyToken.kind === 'number' || (keyToken.kind === 'bad' && /^\w+$/.test(keyToken.text));
    if (keyToken.kind === 'string' && keyToken.closed !== false) key = keyToken.value as string;
    else if (bareKey) key = keyToken.text;
    else p.fail(keyToken, 'an annotation key', ['annotation key', 'a quoted string']);
    p.next();
    p.expectSymbol(']', 'the annotation key');
  }
  const opToken = p.peek();
  const op = operatorAt(opToken);
  if (op === undefined) {
    p.openTail = ['operator'];
    return { kind: 'annotation', key, op: 'set', start, end: p.lastEnd() };
  }
  p.next();
  if (wordOps.has(op)) return { kind: 'annotation', key, op: op as StringOp, value: stringLiteral(p, `after ${op}`), start, end: p.lastEnd() };
  if (op !== '=' && op !== '!=') return { kind: 'annotation', key, op: op as NumberOp, value: numberLiteral(p, op), start, end: p.lastEnd() };
  // = and != take any literal; its type decides which annotation values can match.
  const literal = p.peek();
  if (literal.kind === 'number') return { kind: 'annotation', key, op, value: numberLiteral(p, op), start, end: p.lastEnd() };
  if (literal.kind === 'string') return { kind: 'annotation', key, op, value: stringLiteral(p, `after ${op}`), start, end: p.lastEnd() };
  if (p.isWord(literal, 'true') || p.isWord(literal, 'false')) return { kind: 'annotation', key, op, value: booleanLiteral(p, op), start, end: p.lastEnd() };
  return p.fail(literal, `a number, a quoted string, true or false after ${op}`, ['a number', 'a quoted string', 'true', 'false']);
}

function serviceTerm(p: Parser, start: number): Expr {
  p.expectSymbol('(', 'service');
  let selector: Selector = {};
  if (!p.isSymbol(p.peek(), ')')) selector = parseSelector(p, 'a quoted service name, id(…) or ")"', ['a quoted string', 'id(', ')']);
  p.expectSymbol(')', 'the service name');
  return { kind: 'service', selector, filter: optionalBlock(p, 'service'), start, end: p.lastEnd() };
}

function edgeTerm(p: Parser, start: number): Expr {
  p.expectSymbol('(', 'edge');
  const source = parseSelector(p, 'a quoted caller name or id(…)', ['a quoted string', 'id(']);
  p.expectSymbol(',', 'the caller of edge(caller, callee)');
  const destination = parseSelector(p, 'a quoted callee name or id(…)', ['a quoted string', 'id(']);
  p.expectSymbol(')', 'the callee of edge(caller, callee)');
  return { kind: 'edge', source, destination, filter: optionalBlock(p, 'edge'), start, end: p.lastEnd() };
}

/** `"name"` or `id(name: "n", type: "t", account.id: "a")`. */
function parseSelector(p: Parser, what: string, expected: string[]): Selector {
  const token = p.peek();
  if (token.kind === 'string') return { name: stringLiteral(p, '') };
  if (!p.isWord(token, 'id') || !p.isSymbol(p.peek(1), '(')) p.fail(token, what, expected);
  p.next();
  p.next();
  const selector: Selector = {};
  const fields: Record<string, keyof Selector> = { name: 'name', type: 'type', 'account.id': 'accountId' };
  while (!p.isSymbol(p.peek(), ')')) {
    const keyToken = p.peek();
    const field = keyToken.kind === 'word' ? fields[keyToken.text.toLowerCase()] : undefined;
    if (field === undefined) p.fail(keyToken, 'name:, type:, account.id: or ")" in id(…)', ['name', 'type', 'account.id', ')']);
    p.next();
    p.expectSymbol(':', keyToken.text);
    selector[field] = stringLiteral(p, `after ${keyToken.text}:`);
    if (p.isSymbol(p.peek(), ',')) p.next();
    else if (!p.isSymbol(p.peek(), ')')) p.fail(p.peek(), '"," or ")" in id(…)', [',', ')']);
  }
  p.next();
  return selector;
}

function optionalBlock(p: Parser, scope: FilterScope): Expr | null {
  if (p.isSymbol(p.peek(), '{')) return p.parseBlock(scope);
  p.openTail = ['{'];
  return null;
}

function groupTerm(p: Parser, name: string, start: number): Expr {
  const opToken = p.peek();
  const op = operatorAt(opToken);
  if (op !== '=' && op !== '!=') return p.fail(opToken, `"=" or "!=" after ${name}`, ['=', '!=']);
  p.next();
  const value = stringLiteral(p, `after ${op}`);
  return { kind: 'group', field: name === 'group.name' ? 'name' : 'arn', op, value, start, end: p.lastEnd() };
}

const causeScopes: Record<string, FilterScope> = {
  'fault.service': 'causeService',
  'fault.entity': 'causeEntity',
  'fault.exception': 'causeException',
  'error.service': 'causeService',
  'error.entity': 'causeEntity',
  'error.exception': 'causeException',
  'responsetime.service': 'slowService',
  'responsetime.entity': 'slowEntity',
};

function rootCauseTerm(p: Parser, name: string, start: number): Expr {
  const [, category, target] = name.split('.') as [string, RootCauseExpr['category'], RootCauseExpr['target']];
  const filter = optionalBlock(p, causeScopes[`${category}.${target}`]);
  return { kind: 'rootcause', category, target, filter, start, end: p.lastEnd() };
}

function rootCauseJson(p: Parser, start: number): Expr {
  const opToken = p.peek();
  const op = operatorAt(opToken);
  if (op !== '=' && op !== '!=') return p.fail(opToken, '"=" or "!=" after rootcause.json', ['=', '!=']);
  p.next();
  const token = p.peek();
  if (token.kind !== 'json') p.fail(token, `a #[…] root-cause JSON literal after ${op}`, ['#[']);
  if (token.closed === false) p.unclosed(token);
  p.next();
  try {
    return { kind: 'rootcauseJson', op, value: JSON.parse(token.value as string), start, end: p.lastEnd() };
  } catch (err) {
    throw new FilterSyntaxError(token.start + 1, `invalid JSON in #[…]: ${(err as Error).message}`, { expected: ['JSON'] });
  }
}
