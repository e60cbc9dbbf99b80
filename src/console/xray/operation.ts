/**
 * The X-Ray API's building blocks: an operation is a restJson1 POST path and a handler; each
 * family module (traces, groups, sampling, ...) exports a function that returns its
 * operations, and api.ts registers every family's table on the console's port.
 */
import type { Ingest } from '../ingest/ingest.ts';
import type { SamplingService } from '../sampling/service.ts';
import type { TraceStoreApi } from '../store/store.ts';

export type Body = Record<string, unknown>;

/** What every family's handlers may use. */
export interface XRayDeps {
  store: TraceStoreApi;
  ingest: Ingest;
  sampling: SamplingService;
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
}

/** A family module's export: its operations over the shared dependencies. */
export type XRayFamily = (deps: XRayDeps) => XRayOperation[];

/** An X-Ray error: AWS's `__type` name and HTTP status (restJson1's `X-Amzn-Errortype`). */
export class XRayError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, status: number, message: string) {
    super(message);
    this.type = type;
    this.status = status;
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
    super('ResourceNotFoundException', 404, message);
    if (resourceName) this.resourceName = resourceName;
  }
  resourceName?: string;
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

/** A restJson1 timestamp: epoch seconds (integer or fraction); ISO strings are tolerated like botocore does. */
export function time(value: unknown, name: string, required: boolean): number | undefined {
  if (value === undefined || value === null) {
    if (required) throw new InvalidRequest(`${name} is required`);
    return undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value) / 1000;
  throw new InvalidRequest(`${name} must be a timestamp in epoch seconds`);
}

/** The required StartTime/EndTime pair, EndTime not before StartTime. */
export function timeRange(body: Body): { start: number; end: number } {
  const start = time(body.StartTime, 'StartTime', true)!;
  const end = time(body.EndTime, 'EndTime', true)!;
  if (end < start) throw new InvalidRequest('EndTime must not be before StartTime');
  return { start, end };
}
