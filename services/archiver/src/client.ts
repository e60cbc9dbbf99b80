/**
 * The typed archiver client: paths and shapes come from the contract, so the
 * CLI and the fetcher cannot drift from the server. Every call has a timeout;
 * a refused connection is retried once (no byte was sent, so it is safe).
 */
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { CallError } from '@tfa/service-kit/errors';
import { rawHeaders, type Archive, type ArchivePage, type CreateArchive, type ErrorBody } from './contract.ts';

/** An error from the archiver (its `{code, status, detail}`) or from reaching it (`archiver_unavailable`). */
export class ArchiverError extends CallError {
  override name = 'ArchiverError';
}

/** Client options. */
export interface ArchiverClientOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  token?: string;
  /** Deadline for headers and for each body read to make progress. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** Metadata of a raw upload. */
export interface RawMeta {
  status: number;
  url?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Accepts `12`, `/archive/12`, or `http://host/archive/12`; returns the archive URL. */
export function archiveUrl(baseUrl: string, idOrHref: string): string {
  const s = idOrHref.trim();
  if (/^\d+$/.test(s)) return `${baseUrl}/archive/${s}`;
  if (/^\/archive\/\d+\/?$/.test(s)) return `${baseUrl}${s.replace(/\/$/, '')}`;
  if (/^https?:\/\//i.test(s) && /\/archive\/\d+\/?$/.test(new URL(s).pathname)) return s.replace(/\/$/, '');
  throw new ArchiverError('invalid_id', 400, `expected an archive id or href like 12 or /archive/12, got ${JSON.stringify(s)}`);
}

/** A client of one archiver. */
export class ArchiverClient {
  readonly baseUrl: string;
  readonly #token?: string;
  readonly #timeout: number;
  readonly #dispatcher?: Dispatcher;

  constructor(options: ArchiverClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeout = options.timeoutMs ?? 30_000;
    this.#dispatcher = options.dispatcher;
  }

  /** POST /archive, JSON form. */
  async create(input: CreateArchive): Promise<Archive> {
    const res = await this.#send('POST', `${this.baseUrl}/archive`, { 'content-type': 'application/json', ...this.#auth() }, JSON.stringify(input), true);
    return (await json(res, 201)) as Archive;
  }

  /** POST /archive, raw form: streams `body` with its metadata in X-Archive-* headers. */
  async createRaw(body: Readable | AsyncIterable<Uint8Array>, meta: RawMeta, options: { signal?: AbortSignal } = {}): Promise<Archive> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', [rawHeaders.status]: String(meta.status), ...this.#auth() };
    if (meta.url) headers[rawHeaders.url] = meta.url;
    if (meta.contentType) headers[rawHeaders.contentType] = meta.contentType;
    if (meta.headers && Object.keys(meta.headers).length > 0) headers[rawHeaders.headers] = JSON.stringify(meta.headers);
    const res = await this.#send('POST', `${this.baseUrl}/archive`, headers, body as Readable, true, options.signal);
    return (await json(res, 201)) as Archive;
  }

  /** GET /archive/{id}. */
  async get(idOrHref: string | number): Promise<Archive> {
    const res = await this.#send('GET', archiveUrl(this.baseUrl, String(idOrHref)), {}, undefined, true);
    return (await json(res, 200)) as Archive;
  }

  /** GET /archive/{id}/body: the raw bytes as a stream (caller consumes or destroys it). */
  async body(idOrHref: string | number): Promise<{ contentType: string | undefined; size: number; body: Readable }> {
    const res = await this.#send('GET', `${archiveUrl(this.baseUrl, String(idOrHref))}/body`, {}, undefined, true);
    if (res.statusCode !== 200) await json(res, 200);
    return { contentType: res.headers['content-type'] as string | undefined, size: Number(res.headers['content-length'] ?? 0), body: res.body };
  }

  /** GET /archive: one page, newest first. */
  async list(query: { limit?: number; cursor?: string; url?: string } = {}): Promise<ArchivePage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const res = await this.#send('GET', `${this.baseUrl}/archive${qs.size ? `?${qs}` : ''}`, {}, undefined, true);
    return (await json(res, 200)) as ArchivePage;
  }

  /** GET /health: true on 200 OK. */
  async health(timeoutMs = 2000): Promise<boolean> {
    try {
      const res = await request(`${this.baseUrl}/health`, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, dispatcher: this.#dispatcher });
      const text = await res.body.text();
      return res.statusCode === 200 && text === 'OK';
    } catch {
      return false;
    }
  }

  #auth(): Record<string, string> {
    return this.#token ? { authorization: `Bearer ${this.#token}` } : {};
  }

  async #send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | Readable | undefined, retryRefused: boolean, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, { method, headers, body, headersTimeout: this.#timeout, bodyTimeout: this.#timeout, dispatcher: this.#dispatcher, signal });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (retryRefused && code === 'ECONNREFUSED') return this.#send(method, url, headers, body, false, signal);
      throw unavailable(url, err);
    }
  }
}

function unavailable(url: string, err: unknown): ArchiverError {
  const e = err as NodeJS.ErrnoException;
  const origin = new URL(url).origin;
  const why =
    e.code === 'ECONNREFUSED'
      ? 'connection refused'
      : e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
        ? 'timed out'
        : e.code === 'ENOTFOUND'
          ? 'host not found'
          : (e.code ?? e.message);
  return new ArchiverError('archiver_unavailable', 503, `cannot reach the archiver at ${origin} (${why})`, { cause: err });
}

async function json(res: Dispatcher.ResponseData, expected: number): Promise<unknown> {
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    throw new ArchiverError('archiver_unavailable', 503, `the archiver's answer broke off (${(err as Error).message})`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ArchiverError('archiver_invalid', 502, `the archiver answered ${res.statusCode} with a body that is not JSON`);
  }
  if (res.statusCode !== expected) {
    const e = parsed as Partial<ErrorBody>;
    throw new ArchiverError(e.code ?? 'archiver_error', res.statusCode, e.detail ?? `unexpected status ${res.statusCode}`);
  }
  return parsed;
}
