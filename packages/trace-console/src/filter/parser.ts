/**
 * Recursive-descent parser for X-Ray filter expressions. This file holds the boolean
 * structure (OR < AND/juxtaposition < NOT/! < term); `terms.ts` parses the keyword terms.
 *
 *   or      := and (("OR" | "||") and)*
 *   and     := unary (("AND" | "&&")? unary)*      juxtaposed terms are ANDed
 *   unary   := ("!" | "NOT") unary | "(" or ")" | term
 */
import type { Expr, FilterScope } from './ast.ts';
import { FilterSyntaxError, orList } from './errors.ts';
import { lex, type Token } from './lexer.ts';
import { parseTerm, type Parser as TermParser } from './terms.ts';

/**
 * Parses a filter expression. Returns null for a blank expression (no filter: every
 * trace matches). Throws FilterSyntaxError with the position and what was expected.
 */
export function parseFilter(source: string): Expr | null {
  const parser = new Parser(source);
  if (parser.peek().kind === 'eof') return null;
  const expr = parser.parseOr('end of input');
  return expr;
}

/** Parser state shared with `terms.ts`: the token stream, the current scope and error helpers. */
export class Parser implements TermParser {
  readonly source: string;
  readonly tokens: Token[];
  private index = 0;
  /** What keywords refer to here: the trace, or the item a `{ }` block iterates over. */
  scope: FilterScope = 'trace';
  /**
   * What the last term could still have taken (`operator` after a bare `http.url`, `{`
   * after `service("x")`), so a stray token reports every valid continuation.
   */
  openTail: string[] = [];
  /** Nesting of (, ! and NOT, bounded so hostile input cannot overflow the stack. */
  private depth = 0;

  constructor(source: string) {
    this.source = source;
    this.tokens = lex(source);
  }

  /** The current token (never past `eof`). */
  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  /** End offset of the last consumed token (for spans). */
  lastEnd(): number {
    return this.index === 0 ? 0 : this.tokens[this.index - 1].end;
  }

  /** True if the token is the given word, ignoring case. */
  isWord(token: Token, word: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === word;
  }

  /** True if the token is the given operator or punctuation. */
  isSymbol(token: Token, symbol: string): boolean {
    return (token.kind === 'op' || token.kind === 'punct') && token.text === symbol;
  }

  /** Throws "expected …, found …" at the token. */
  fail(token: Token, what: string, expected: readonly string[]): never {
    if (token.kind === 'string' && token.closed === false && expected.includes('a quoted string')) this.unclosed(token);
    throw new FilterSyntaxError(token.start, `expected ${what}`, { expected: [...expected], found: describe(token) });
  }

  /** Throws for a string or JSON literal that runs to the end of input. */
  unclosed(token: Token): never {
    const close = token.kind === 'json' ? ']' : token.text[0];
    throw new FilterSyntaxError(this.source.length, `expected a closing ${close} for the literal starting at position ${token.start}`, {
      expected: [close],
      found: 'end of input',
    });
  }

  /** Consumes a required punctuation token or throws naming it. */
  expectSymbol(symbol: string, after: string): Token {
    const token = this.peek();
    if (!this.isSymbol(token, symbol)) this.fail(token, `"${symbol}" after ${after}`, [symbol]);
    return this.next();
  }

  /** or := and (OR and)*; `closer` names the token that ends this level, for messages. */
  parseOr(closer: string): Expr {
    const start = this.peek().start;
    const items = [this.parseAnd(closer)];
    while (this.isOr(this.peek())) {
      this.next();
      items.push(this.parseAnd(closer));
    }
    return items.length === 1 ? items[0] : { kind: 'or', items, start, end: this.lastEnd() };
  }

  /** and := unary ((AND)? unary)*; stops at OR or the closer, rejects anything else. */
  private parseAnd(closer: string): Expr {
    const start = this.peek().start;
    const items = [this.parseUnary()];
    for (;;) {
      const token = this.peek();
      if (this.isAnd(token)) {
        this.next();
        items.push(this.parseUnary());
      } else if (this.startsTerm(token)) {
        items.push(this.parseUnary());
      } else if (this.isOr(token) || describeCloser(token) === closer) {
        break;
      } else {
        const expected = [...this.openTail, 'AND', 'OR', closer];
        this.fail(token, orList(expected), expected);
      }
    }
    return items.length === 1 ? items[0] : { kind: 'and', items, start, end: this.lastEnd() };
  }

  /** unary := (! | NOT) unary | ( or ) | term. */
  private parseUnary(): Expr {
    const token = this.peek();
    this.enter(token);
    try {
      return this.parseUnaryAt(token);
    } finally {
      this.depth--;
    }
  }

  private parseUnaryAt(token: Token): Expr {
    if (this.isSymbol(token, '!') || this.isWord(token, 'not')) {
      this.next();
      const grouped = this.isSymbol(this.peek(), '(');
      const operand = this.parseUnary();
      // `!annotation.k` means "not set", which differs from NOT(bare) for a false boolean.
      if (!grouped && operand.kind === 'annotation' && operand.op === 'set') {
        return { kind: 'annotation', key: operand.key, op: 'unset', start: token.start, end: operand.end };
      }
      return { kind: 'not', expr: operand, start: token.start, end: operand.end };
    }
    if (this.isSymbol(token, '(')) {
      this.next();
      const inner = this.parseOr(')');
      this.next(); // parseAnd only returns at ")" here
      this.openTail = [];
      return inner.kind === 'and' || inner.kind === 'or' ? { ...inner, start: token.start, end: this.lastEnd() } : inner;
    }
    this.openTail = [];
    return parseTerm(this);
  }

  /** Parses a `{ filter }` block whose keywords refer to `scope`; null for `{ }`. */
  parseBlock(scope: FilterScope): Expr | null {
    this.next(); // the "{"
    const outer = this.scope;
    this.scope = scope;
    let filter: Expr | null = null;
    if (!this.isSymbol(this.peek(), '}')) filter = this.parseOr('}');
    this.next(); // parseAnd only returns at "}" here
    this.scope = outer;
    this.openTail = [];
    return filter;
  }

  private enter(token: Token): void {
    if (++this.depth > maxDepth) {
      throw new FilterSyntaxError(token.start, `expression nested more than ${maxDepth} levels deep`, { expected: [] });
    }
  }

  /** True for a token that can begin a term (so juxtaposition means AND). */
  startsTerm(token: Token): boolean {
    if (token.kind === 'word') return !this.isAnd(token) && !this.isOr(token) && !notTerms.has(token.text.toLowerCase());
    return this.isSymbol(token, '!') || this.isSymbol(token, '(');
  }

  private isAnd(token: Token): boolean {
    return this.isWord(token, 'and') || this.isSymbol(token, '&&');
  }

  private isOr(token: Token): boolean {
    return this.isWord(token, 'or') || this.isSymbol(token, '||');
  }
}

/** Deep enough for any real filter, shallow enough for the default stack. */
const maxDepth = 100;

/** Reserved words that never begin a term: a stray one reports the valid continuations. */
const notTerms = new Set(['true', 'false', 'contains', 'beginswith', 'endswith']);

/** How a token is shown after "found": strings as written, anything else quoted. */
export function describe(token: Token): string {
  if (token.kind === 'eof') return 'end of input';
  if (token.kind === 'string') return token.text;
  return JSON.stringify(token.text);
}

function describeCloser(token: Token): string {
  if (token.kind === 'eof') return 'end of input';
  return token.kind === 'punct' && (token.text === ')' || token.text === '}') ? token.text : '';
}
