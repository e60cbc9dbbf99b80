/**
 * The one error the filter language raises. It carries where the problem is and what
 * would have been valid there, so the API can answer 400 naming the position and the
 * web UI can underline the spot and offer the alternatives.
 */

/** A filter expression that cannot be parsed (or names something we cannot evaluate). */
export class FilterSyntaxError extends Error {
  /** 0-based offset (UTF-16 code units) into the expression where the problem starts. */
  readonly position: number;
  /** Labels of what would have been valid here, e.g. `["operator", "AND", "OR", ")"]`. */
  readonly expected: string[];
  /** The offending text as shown in the message (`"foo"`, `end of input`). */
  readonly found: string;
  /** For an unknown keyword: the nearest known keyword, if one is close enough. */
  readonly suggestion?: string;
  /** The contract's error code (@tfa/service-kit errors.ts `codes`): a 400. */
  readonly code = 'bad_request';

  constructor(position: number, problem: string, options: { expected?: string[]; found?: string; suggestion?: string } = {}) {
    const found = options.found;
    super(`at position ${position}: ${problem}${found === undefined ? '' : `, found ${found}`}`);
    this.name = 'FilterSyntaxError';
    this.position = position;
    this.expected = options.expected ?? [];
    this.found = found ?? '';
    if (options.suggestion !== undefined) this.suggestion = options.suggestion;
  }
}

const spelled: Record<string, string> = { operator: 'an operator', keyword: 'a keyword' };

/** Joins labels the way people write lists: `a, b or c`. */
export function orList(labels: readonly string[]): string {
  const shown = labels.map((l) => spelled[l] ?? (/^[A-Za-z]/.test(l) ? l : `"${l}"`));
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
}
