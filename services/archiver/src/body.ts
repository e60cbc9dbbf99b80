/**
 * Conditional and partial reads of archived bytes (RFC 9110 §13, §14):
 * strong ETag from the sha256, If-None-Match, If-Range and single byte ranges.
 */

/** The strong ETag of a body. */
export function etagOf(sha256: string): string {
  return `"${sha256}"`;
}

/** True when an If-None-Match header matches the ETag (weak comparison, as §13.1.2 asks). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** A resolved byte range, inclusive. */
export type RangeResult = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/** Interprets a Range header for a body of `size` bytes; anything but one byte range is served in full. */
export function parseRange(header: string | undefined, size: number, ifRange: string | undefined, etag: string): RangeResult {
  if (!header) return { kind: 'full' };
  if (ifRange !== undefined && ifRange.trim() !== etag) return { kind: 'full' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'full' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'full' };
  return { kind: 'partial', start, end };
}
