/**
 * Attribute access shared by the translator's parts. Attribute values arrive from the
 * SDK (OTel AttributeValue) or from decoded OTLP (any JSON-like value), so they are
 * `unknown` and every reader checks the type it needs.
 */

/** A span's or resource's attributes as a plain record. */
export type Attrs = Readonly<Record<string, unknown>>;

/** The value when it is a non-empty string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The value as an integer: numbers, bigints and numeric strings (OTLP JSON sends int64 as strings). */
export function int(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

/** A string for URL assembly from a string or numeric port value. */
export function portString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  const n = int(value);
  return n === undefined ? undefined : String(n);
}
