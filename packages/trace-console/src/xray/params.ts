/**
 * Request-member checks and AWS's error types for the X-Ray operation modules: an XRayError
 * carries its `__type` name and status, which api.ts's error handler answers with (body
 * `{"__type","Message"}` and `X-Amzn-ErrorType`).
 */
import type { TraceStoreApi } from '../store/store.ts';

/** An X-Ray error: `type` is AWS's `__type` (InvalidRequestException, ResourceNotFoundException, ThrottledException…). */
export class XRayError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, status: number, message: string) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

/** X-Ray's 400 for a bad request member. */
export const invalid = (message: string): XRayError => new XRayError('InvalidRequestException', 400, message);
/** X-Ray's 404 for a token or id it does not know. */
export const notFound = (message: string): XRayError => new XRayError('ResourceNotFoundException', 404, message);
/** X-Ray's 429 when a bound is reached. */
export const throttled = (message: string): XRayError => new XRayError('ThrottledException', 429, message);

export type Body = Record<string, unknown>;

/** A restJson1 timestamp: epoch seconds (integer or fraction); ISO strings are tolerated like botocore does. */
export function time(value: unknown, name: string, required: boolean): number | undefined {
  if (value === undefined || value === null) {
    if (required) throw invalid(`${name} is required`);
    return undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
  throw invalid(`${name} must be a timestamp in epoch seconds`);
}

/** A required StartTime/EndTime pair with EndTime not before StartTime. */
export function window(body: Body): { start: number; end: number } {
  const start = time(body.StartTime, 'StartTime', true)!;
  const end = time(body.EndTime, 'EndTime', true)!;
  if (end < start) throw invalid('EndTime must not be before StartTime');
  return { start, end };
}

/** A string member of `min`..`max` characters. */
export function text(value: unknown, name: string, min: number, max: number): string {
  if (typeof value !== 'string') throw invalid(`${name} is required and must be a string`);
  if (value.length < min || value.length > max) throw invalid(`${name} must be ${min} to ${max} characters long`);
  return value;
}

/** An optional integer member in `min`..`max`. */
export function integer(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

/** An optional paging token: the offset this service issued (base64url JSON), else 0. */
export function pageOffset(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  try {
    const n = JSON.parse(Buffer.from(String(value), 'base64url').toString()) as unknown;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
  } catch {
    // falls through to the error below
  }
  throw invalid('NextToken is not a token this service issued');
}

/** The NextToken for `offset` when more items follow. */
export function nextToken(offset: number, total: number): { NextToken?: string } {
  return offset < total ? { NextToken: Buffer.from(JSON.stringify(offset)).toString('base64url') } : {};
}

/** An X-Ray trace id (`1-xxxxxxxx-…`) or a W3C/OTel one (32 hex), in X-Ray form. */
export function xrayTraceId(id: string): string {
  if (/^[0-9a-f]{32}$/i.test(id)) return `1-${id.slice(0, 8)}-${id.slice(8)}`.toLowerCase();
  return id;
}

/** What an operation module gets from the dispatcher. */
export interface OperationContext {
  store: TraceStoreApi;
  /** Runs `fn` when the app closes (unsubscribe, stop timers). */
  onClose(fn: () => void): void;
}

/** One X-Ray operation: its restJson1 path (always POST), its name and its handler. */
export interface Operation {
  path: string;
  name: string;
  handler: (body: Body) => unknown;
}
