/**
 * Named errors with a stable `code`, mapped to HTTP statuses in one place
 * (goa's habit): routes throw these, the error handler renders
 * `{id, code, status, detail}` and never a stack trace. The body's schema is declared
 * here once; the services' contracts, their clients and the console's UI use it.
 */
import Type, { type Static } from 'typebox';

/** An error a client may see: a stable code, an HTTP status and a human detail. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string;
  /** Extra response headers (e.g. Retry-After for `busy`). */
  readonly headers: Record<string, string>;

  constructor(code: string, status: number, detail: string, options?: { cause?: unknown; headers?: Record<string, string> }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.headers = options?.headers ?? {};
  }
}

/** An error a client got from another service (its `{code, status, detail}`), or from failing to reach it. */
export class CallError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string;

  constructor(code: string, status: number, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = status;
    this.detail = detail;
  }
}

/** The codes of the contract and their statuses, so every module spells them the same. */
export const codes = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  invalid_id: 400,
  invalid_url: 400,
  unsupported_scheme: 400,
  unauthorized: 401,
  blocked_destination: 403,
  forbidden_host: 403,
  forbidden_origin: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  body_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  header_too_large: 431,
  internal: 500,
  upstream_unreachable: 502,
  too_many_redirects: 502,
  archiver_unavailable: 503,
  busy: 503,
  unavailable: 503,
  upstream_timeout: 504,
  insufficient_storage: 507,
} as const;

export type ErrorCode = keyof typeof codes;

/** Builds an AppError whose status comes from the table above. */
export function appError(code: ErrorCode, detail: string, options?: { cause?: unknown; headers?: Record<string, string> }): AppError {
  return new AppError(code, codes[code], detail, options);
}

/** The JSON error body of every 4xx/5xx answer, as the OpenAPI documents show it. */
export const ErrorSchema = Type.Object(
  {
    id: Type.String({ description: 'request id (also in the X-Request-Id header and the server log)' }),
    code: Type.String({ description: 'stable machine-readable code, e.g. validation_failed, not_found, body_too_large' }),
    status: Type.Integer(),
    detail: Type.String(),
  },
  { $id: 'Error', description: 'every 4xx/5xx answer' },
);
export type ErrorBody = Static<typeof ErrorSchema>;
