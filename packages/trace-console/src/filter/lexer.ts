/**
 * Tokenizer for filter expressions. It never throws: unterminated strings and stray
 * characters become tokens the parser reports in context (with what was expected) and
 * the completer can step over while the user is still typing.
 */

/** Token kinds; `bad` is a character run that starts no token (`-`, `&`, `5s`). */
export type TokenKind = 'word' | 'number' | 'string' | 'json' | 'op' | 'punct' | 'bad' | 'eof';

/** One token with its source span. */
export interface Token {
  kind: TokenKind;
  /** The raw source text of the token. */
  text: string;
  start: number;
  end: number;
  /** Decoded string contents, the number, or the raw JSON text after `#`. */
  value?: string | number;
  /** False for a string or `#[…]` literal that reached the end of input unclosed. */
  closed?: boolean;
}

const isWordStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isWordChar = (c: string) => isWordStart(c) || isDigit(c) || c === '.';
const twoCharOps = new Set(['!=', '<=', '>=', '&&', '||']);
const oneCharOps = new Set(['=', '<', '>', '!']);
const puncts = new Set(['(', ')', '{', '}', '[', ']', ',', ':']);

/** Splits a filter expression into tokens, ending with one `eof` token. */
export function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, extra: Partial<Token> = {}) => {
    tokens.push({ kind, text: source.slice(start, end), start, end, ...extra });
    i = end;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '"' || c === "'") {
      const { end, value, closed } = scanString(source, i);
      push('string', i, end, { value, closed });
    } else if (c === '#' && source[i + 1] === '[') {
      const { end, closed } = scanJson(source, i + 1);
      push('json', i, end, { value: source.slice(i + 1, end), closed });
    } else if (isDigit(c) || ((c === '-' || c === '.') && startsNumber(source, i))) {
      const end = scanNumber(source, i);
      if (end < source.length && isWordStart(source[end])) {
        let j = end;
        while (j < source.length && isWordChar(source[j])) j++;
        push('bad', i, j); // `5s`, `2fa`: neither a number nor a keyword
      } else {
        push('number', i, end, { value: Number(source.slice(i, end)) });
      }
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < source.length && isWordChar(source[j])) j++;
      push('word', i, j);
    } else if (twoCharOps.has(source.slice(i, i + 2))) {
      push('op', i, i + 2);
    } else if (oneCharOps.has(c)) {
      push('op', i, i + 1);
    } else if (puncts.has(c)) {
      push('punct', i, i + 1);
    } else {
      // One code point, so the message never shows half a surrogate pair.
      push('bad', i, i + (source.codePointAt(i)! > 0xffff ? 2 : 1));
    }
  }
  tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
  return tokens;
}

/** True at `-5`, `-.5`, `.5`: a sign or dot that begins a number. */
function startsNumber(source: string, i: number): boolean {
  let j = i;
  if (source[j] === '-') j++;
  if (source[j] === '.') j++;
  return j < source.length && isDigit(source[j]);
}

function scanNumber(source: string, i: number): number {
  let j = i;
  if (source[j] === '-') j++;
  while (j < source.length && isDigit(source[j])) j++;
  if (source[j] === '.') {
    j++;
    while (j < source.length && isDigit(source[j])) j++;
  }
  if ((source[j] === 'e' || source[j] === 'E') && (isDigit(source[j + 1] ?? '') || ((source[j + 1] === '+' || source[j + 1] === '-') && isDigit(source[j + 2] ?? '')))) {
    j += 2;
    while (j < source.length && isDigit(source[j])) j++;
  }
  return j;
}

/** A quoted string; a backslash takes the next character literally (`\"`, `\'`, `\\`). */
function scanString(source: string, start: number): { end: number; value: string; closed: boolean } {
  const quote = source[start];
  let value = '';
  let j = start + 1;
  while (j < source.length) {
    const c = source[j];
    if (c === quote) return { end: j + 1, value, closed: true };
    if (c === '\\' && j + 1 < source.length) {
      value += source[j + 1];
      j += 2;
    } else {
      value += c;
      j++;
    }
  }
  return { end: source.length, value, closed: false };
}

/** End (exclusive) of the bracketed JSON starting at `[`, skipping strings; input end if unbalanced. */
function scanJson(source: string, open: number): { end: number; closed: boolean } {
  let depth = 0;
  let j = open;
  while (j < source.length) {
    const c = source[j];
    if (c === '"') {
      j++;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
    } else if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return { end: j + 1, closed: true };
    }
    j++;
  }
  return { end: source.length, closed: false };
}
