/**
 * The typed archiver client: paths and shapes come from the contract, so the
 * CLI and the fetcher cannot drift from the server. Every call has a timeout;
 * a refused connection is retried once (no byte was sent, so it is safe).
 */
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { routePath, ServiceCaller } from '@tfa/service-kit/client';
import { CallError } from '@tfa/service-kit/errors';
import { rawHeaders, routes, type Archive, type ArchivePage, type CreateArchive } from './contract.ts';

/** An error from the archiver (its `{code, status, detail}`) or from reaching it (`archiver_unavailable`). */
export class ArchiverError extends CallError {
  override name = 'ArchiverError';
}

const archiver = new ServiceCaller('archiver', (code, status, detail, options) => new ArchiverError(code, status, detail, options));

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
  if (/^\d+$/.test(s)) return `${baseUrl}${routePath(routes.get.url, { id: s })}`;
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
    const res = await this.#send('POST', `${this.baseUrl}${routes.create.url}`, { 'content-type': 'application/json', ...this.#auth() }, JSON.stringify(input), true);
    return (await archiver.json(res, 201)) as Archive;
  }

  /** POST /archive, raw form: streams `body` with its metadata in X-Archive-* headers. */
  async createRaw(body: Readable | AsyncIterable<Uint8Array>, meta: RawMeta, options: { signal?: AbortSignal } = {}): Promise<Archive> {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', [rawHeaders.status]: String(meta.status), ...this.#auth() };
    if (meta.url) headers[rawHeaders.url] = meta.url;
    if (meta.contentType) headers[rawHeaders.contentType] = meta.contentType;
    if (meta.headers && Object.keys(meta.headers).length > 0) headers[rawHeaders.headers] = JSON.stringify(meta.headers);
    const res = await this.#send('POST', `${this.baseUrl}${routes.create.url}`, headers, body as Readable, true, options.signal);
    return (await archiver.json(res, 201)) as Archive;
  }

  /** GET /archive/{id}. */
  async get(idOrHref: string | number): Promise<Archive> {
    const res = await this.#send('GET', archiveUrl(this.baseUrl, String(idOrHref)), {}, undefined, true);
    return (await archiver.json(res, 200)) as Archive;
  }

  /** GET /archive/{id}/body: the raw bytes as a stream (caller consumes or destroys it). */
  async body(idOrHref: string | number): Promise<{ contentType: string | undefined; size: number; body: Readable }> {
    const res = await this.#send('GET', `${archiveUrl(this.baseUrl, String(idOrHref))}/body`, {}, undefined, true);
    if (res.statusCode !== 200) await archiver.json(res, 200);
    return { contentType: res.headers['content-type'] as string | undefined, size: Number(res.headers['content-length'] ?? 0), body: res.body };
  }

  /** GET /archive: one page, newest first. */
  async list(query: { limit?: number; cursor?: string; url?: string } = {}): Promise<ArchivePage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const res = await this.#send('GET', `${this.baseUrl}${routes.list.url}${qs.size ? `?${qs}` : ''}`, {}, undefined, true);
    return (await archiver.json(res, 200)) as ArchivePage;
  }

  /** GET /health: true on 200 OK. */
  async health(timeoutMs = 2000): Promise<boolean> {
    try {
      const res = await request(`${this.baseUrl}${routes.health.url}`, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, dispatcher: this.#dispatcher });
      const text = await res.body.text();
      return res.statusCode === 200 && text === 'OK';
    } catch {
      return false;
    }
  }

  #auth(): Record<string, string> {
    return this.#token ? { authorization: `Bearer ${this.#token}` } : {};
  }

  #send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | Readable | undefined, retryRefused: boolean, signal?: AbortSignal): Promise<Dispatcher.ResponseData> {
    return archiver.send(method, url, { headers, body, timeoutMs: this.#timeout, dispatcher: this.#dispatcher, signal, retryRefused });
  }
}
