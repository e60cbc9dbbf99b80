/**
 * The plumbing the services' typed clients share: a request with a deadline, one wording
 * for a service that cannot be reached, an answer read as JSON and checked against the
 * status the contract promises, and route paths filled from the contract's own URLs.
 */
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { CallError, ErrorBody } from './errors.ts';

/** Makes the client's own error class (ArchiverError, FetcherError). */
export type ErrorFactory = (code: string, status: number, detail: string, options?: { cause?: unknown }) => CallError;

/** One request's options. */
export interface SendOptions {
  headers?: Record<string, string>;
  body?: string | Readable;
  /** Deadline for the headers and for each body read to make progress. */
  timeoutMs: number;
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Retry once on ECONNREFUSED: no byte was sent, so it is safe (the body must be replayable). */
  retryRefused?: boolean;
}

/** Fills a contract URL's `:name` parameters: `routePath('/archive/:id', {id: 7})` is `/archive/7`. */
export function routePath(url: string, params: Record<string, string | number> = {}): string {
  return url.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
    if (params[name] === undefined) throw new Error(`route ${url} needs :${name}`);
    return encodeURIComponent(String(params[name]));
  });
}

/** Calls of one service (`service` names it in errors: "cannot reach the archiver at …"). */
export class ServiceCaller {
  readonly #service: string;
  readonly #error: ErrorFactory;

  constructor(service: string, error: ErrorFactory) {
    this.#service = service;
    this.#error = error;
  }

  /** Sends the request; a failure to reach the service is `<service>_unavailable` (503). */
  async send(method: 'GET' | 'POST', url: string, options: SendOptions): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, { method, headers: options.headers, body: options.body, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, dispatcher: options.dispatcher, signal: options.signal });
    } catch (err) {
      if (options.retryRefused && (err as NodeJS.ErrnoException).code === 'ECONNREFUSED') return this.send(method, url, { ...options, retryRefused: false });
      throw this.unavailable(url, err);
    }
  }

  /** `<service>_unavailable` with why, in words. */
  unavailable(url: string, err: unknown): CallError {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ECONNREFUSED'
        ? 'connection refused'
        : e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
          ? 'timed out'
          : e.code === 'ENOTFOUND'
            ? 'host not found'
            : (e.code ?? e.message);
    return this.#error(`${this.#service}_unavailable`, 503, `cannot reach the ${this.#service} at ${new URL(url).origin} (${why})`, { cause: err });
  }

  /** The answer's JSON when its status is `expected`; otherwise the service's own error (code, status, detail). */
  async json(res: Dispatcher.ResponseData, expected: number): Promise<unknown> {
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.#error(`${this.#service}_unavailable`, 503, `the ${this.#service}'s answer broke off (${(err as Error).message})`, { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.#error(`${this.#service}_invalid`, 502, `the ${this.#service} answered ${res.statusCode} with a body that is not JSON`);
    }
    if (res.statusCode !== expected) {
      const e = parsed as Partial<ErrorBody>;
      throw this.#error(e.code ?? `${this.#service}_error`, res.statusCode, e.detail ?? `unexpected status ${res.statusCode}`);
    }
    return parsed;
  }
}
