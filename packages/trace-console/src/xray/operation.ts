/**
 * The X-Ray API's building blocks: an operation is a restJson1 POST path and a handler; each
 * family module (traces, groups, sampling, ...) exports a function that returns its
 * operations, and api.ts registers every family's table on the console's port.
 */
import type { Ingest } from '../ingest/ingest.ts';
import type { SamplingService } from '../sampling/service.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { time, window, XRayError as ParamError } from './params.ts';
import type { XRayState } from './state.ts';

/** A restJson1 timestamp member; the required StartTime/EndTime pair. */
export { time, window as timeRange };

export type Body = Record<string, unknown>;

/** What every family's handlers may use. */
export interface XRayDeps {
  store: TraceStoreApi;
  ingest: Ingest;
  sampling: SamplingService;
  /** The API's own persisted resources (groups, rules, tags, policies, settings). */
  state: XRayState;
  /** Counters a family shows under `xray` in `GET /api/diagnostics` (e.g. PutTelemetryRecords). */
  stats: Record<string, unknown>;
  /** Writes per second before ThrottledException (bursts of twice that); default 100. */
  writeRate?: number;
}

/** Per-request facts a handler may need. */
export interface XRayRequest {
  ip: string;
}

/** One X-Ray operation: AWS's name, its HTTP path (every X-Ray operation is a POST), the handler. */
export interface XRayOperation {
  name: string;
  path: string;
  handler: (body: Body, req: XRayRequest) => unknown;
  /** Changes state: subject to the write rate limit (ThrottledException past it). */
  write?: boolean;
}

/** A family module's export: its operations over the shared dependencies. */
export type XRayFamily = (deps: XRayDeps) => XRayOperation[];

/** An X-Ray error (params.ts's, which retrieval and insights throw) with the ResourceName member some errors carry. */
export class XRayError extends ParamError {
  /** ResourceNotFoundException's and TooManyTagsException's ResourceName member. */
  readonly resourceName?: string;
  constructor(type: string, status: number, message: string, resourceName?: string) {
    super(type, status, message);
    if (resourceName !== undefined) this.resourceName = resourceName;
  }
}

/** X-Ray's 400. */
export class InvalidRequest extends XRayError {
  override name = 'InvalidRequestException';
  constructor(message: string) {
    super('InvalidRequestException', 400, message);
  }
}

/** X-Ray's 404 for a group, rule, policy or resource that does not exist. */
export class ResourceNotFound extends XRayError {
  constructor(message: string, resourceName?: string) {
    super('ResourceNotFoundException', 404, message, resourceName);
  }
}

/** X-Ray's 429. */
export class Throttled extends XRayError {
  constructor(message: string) {
    super('ThrottledException', 429, message);
  }
}

/** The request body as an object; restJson1's empty body is `{}`. */
export function asBody(body: unknown): Body {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequest('the request body must be a JSON object');
  return body as Body;
}

/** A string member: required or not, with AWS's length bounds. */
export function str(body: Body, name: string, min: number, max: number, required: true): string;
export function str(body: Body, name: string, min: number, max: number, required?: false): string | undefined;
export function str(body: Body, name: string, min: number, max: number, required = false): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new InvalidRequest(`${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length < min || value.length > max) throw new InvalidRequest(`${name} must be a string of ${min} to ${max} characters`);
  return value;
}

/** A required structure member (a JSON object). */
export function struct(body: Body, name: string): Body {
  const value = body[name];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequest(`${name} is required (an object)`);
  return value as Body;
}

/** A page of `items` after NextToken (an offset this service issued), with the next token. */
export function page<T>(items: T[], token: unknown, size: number): { items: T[]; NextToken?: string } {
  let offset = 0;
  if (token !== undefined && token !== null && token !== '') {
    const n = typeof token === 'string' && /^\d{1,9}$/.test(token) ? Number(token) : NaN;
    if (!Number.isInteger(n) || n > items.length) throw new InvalidRequest('NextToken is not a token this service issued');
    offset = n;
  }
  const slice = items.slice(offset, offset + size);
  return offset + size < items.length ? { items: slice, NextToken: String(offset + size) } : { items: slice };
}

/** Epoch seconds now, with milliseconds (restJson1 timestamps). */
export function nowSeconds(): number {
  return Date.now() / 1000;
}
