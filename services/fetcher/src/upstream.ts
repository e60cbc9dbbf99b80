/**
 * The fetcher's only way out to the internet: one guarded GET with redirects
 * followed by hand, a deadline over the whole exchange, a body size limit and
 * a bound on concurrent fetches. Every hop is checked by the SSRF guard, and
 * each connection is pinned to the addresses the guard checked.
 */
import { Readable, Transform, finished } from 'node:stream';
import { Agent, Pool, type Dispatcher } from 'undici';
import { AppError, appError } from '@tfa/service-kit/errors';
import { noteStreamed } from '@tfa/service-kit/memory';
import type { AllowList } from './guard/allowlist.ts';
import { createGuardedLookup, type Resolver } from './guard/resolve.ts';
import { type Target, checkLiteralTarget, parseTarget } from './guard/target.ts';
import { packageVersion } from '@tfa/service-kit/config';

/** Names the project to the sites it fetches, as polite crawlers do. */
export const DEFAULT_USER_AGENT = `traced-fetcher-archiver/${packageVersion(import.meta.url)} (fetcher)`;

/** Upstream limits; every default is here. */
export interface UpstreamOptions {
  /** Exemptions from the private-address block. */
  allow: AllowList;
  /** TCP (and TLS) connect timeout per connection; default 5 s. */
  connectTimeoutMs?: number;
  /** The whole fetch, redirects and body included; default 30 s. */
  deadlineMs?: number;
  /** Largest body accepted; default 64 MiB. */
  maxBodyBytes?: number;
  /** Redirects followed before `too_many_redirects`; default 5. */
  maxRedirects?: number;
  /** Fetches in flight (until their body ends) before `busy`; default 64. */
  maxConcurrent?: number;
  /** Sent on every request; default DEFAULT_USER_AGENT. */
  userAgent?: string;
  /** DNS resolver; tests inject one so no real lookup happens. */
  resolve?: Resolver;
}

/** A response as received, with its body still streaming. */
export interface UpstreamResponse {
  status: number;
  /** The final URL after redirects. */
  url: string;
  contentType: string | undefined;
  contentLength: number | undefined;
  /** The headers worth archiving (see ARCHIVED_HEADERS), multiple values joined with ", ". */
  headers: Record<string, string>;
  /** The raw bytes as sent (never decompressed); errors with an AppError on timeout, size or network failure. */
  body: Readable;
  /** The URLs that answered with a redirect, in order; the chain is `[...redirects, url]`. */
  redirects: string[];
}

/** A safe GET client; `inFlight` counts fetches whose body has not yet ended. */
export interface Upstream {
  get(url: string, opts?: { signal?: AbortSignal }): Promise<UpstreamResponse>;
  /** Stops new fetches and closes connections once current ones finish (each is bounded by its deadline). */
  close(): Promise<void>;
  inFlight(): number;
}

/**
 * What describes the archived representation. Bytes are kept as sent, so
 * content-encoding travels with them; set-cookie and other per-client state
 * is deliberately left out.
 */
export const ARCHIVED_HEADERS = [
  'content-type', 'content-length', 'content-encoding', 'content-language', 'content-disposition',
  'etag', 'last-modified', 'cache-control', 'expires', 'date', 'vary', 'location',
] as const;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Enough to finish a typical redirect page so the connection can be reused.
const REDIRECT_DRAIN_BYTES = 64 * 1024;

/** Builds the upstream client and its dedicated connection pool. */
export function createUpstream(options: UpstreamOptions): Upstream {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const deadlineMs = options.deadlineMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const maxConcurrent = options.maxConcurrent ?? 64;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const { allow, resolve } = options;

  const agent = new Agent({
    headersTimeout: deadlineMs,
    bodyTimeout: deadlineMs,
    // One pool per origin, so each lookup knows the port that `host:port` allow entries restrict.
    factory: (origin, opts) => {
      const { port } = parseTarget(String(origin));
      return new Pool(origin, { ...opts, connect: { timeout: connectTimeoutMs, lookup: createGuardedLookup({ allow, port, resolve }) } });
    },
  });
  let active = 0;
  let closed = false;

  async function get(raw: string, opts: { signal?: AbortSignal } = {}): Promise<UpstreamResponse> {
    if (closed) throw appError('unavailable', 'the fetcher is shutting down');
    if (active >= maxConcurrent) {
      throw appError('busy', `the fetcher is already running ${maxConcurrent} fetches`, { headers: { 'Retry-After': '1' } });
    }
    active += 1;
    let released = false;
    const deadline = startDeadline(deadlineMs, opts.signal);
    const release = () => {
      if (released) return;
      released = true;
      active -= 1;
      deadline.clear();
    };
    let host = '';
    try {
      let target = parseTarget(raw);
      const redirects: string[] = [];
      for (;;) {
        host = target.hostname;
        checkLiteralTarget(allow, target);
        const res = await send(target, deadline.signal);
        const location = header(res.headers, 'location');
        if (!REDIRECTS.has(res.statusCode) || location === undefined) {
          return respond(res, target, redirects, deadline.signal, release);
        }
        await res.body.dump({ limit: REDIRECT_DRAIN_BYTES, signal: deadline.signal }).catch(() => undefined);
        if (redirects.length >= maxRedirects) {
          throw appError('too_many_redirects', `more than ${maxRedirects} redirects, the last to ${clip(location)}`);
        }
        redirects.push(target.url.href);
        target = redirectTarget(location, target.url);
      }
    } catch (err) {
      release();
      throw toAppError(err, deadline.signal, host);
    }
  }

  function send(target: Target, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    return agent.request({
      origin: target.url.origin,
      path: target.url.pathname + target.url.search,
      method: 'GET',
      // Ask for the plain representation; a server that compresses anyway is archived as sent, content-encoding kept.
      headers: { 'user-agent': userAgent, accept: '*/*', 'accept-encoding': 'identity' },
      signal,
    });
  }

  function respond(res: Dispatcher.ResponseData, target: Target, redirects: string[], signal: AbortSignal, release: () => void): UpstreamResponse {
    const declared = header(res.headers, 'content-length');
    const contentLength = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
    if (contentLength !== undefined && contentLength > maxBodyBytes) {
      res.body.on('error', noop).destroy();
      throw appError('body_too_large', `the response declares ${contentLength} bytes, over the limit of ${maxBodyBytes}`);
    }
    const headers: Record<string, string> = {};
    for (const name of ARCHIVED_HEADERS) {
      const value = header(res.headers, name);
      if (value !== undefined) headers[name] = value;
    }
    return {
      status: res.statusCode,
      url: target.url.href,
      contentType: headers['content-type'],
      contentLength,
      headers,
      body: limitBody(res.body, { maxBodyBytes, signal, host: target.hostname, release }),
      redirects,
    };
  }

  return {
    get,
    inFlight: () => active,
    async close() {
      closed = true;
      await agent.close();
    },
  };
}

/** Counts bytes through a Transform; any failure (size, deadline, network) becomes an AppError on the returned stream. */
function limitBody(source: Readable, o: { maxBodyBytes: number; signal: AbortSignal; host: string; release: () => void }): Readable {
  let seen = 0;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      noteStreamed(chunk.length);
      if (seen > o.maxBodyBytes) callback(appError('body_too_large', `the response body exceeds the limit of ${o.maxBodyBytes} bytes`));
      else callback(null, chunk);
    },
  });
  // Consumers see errors through for-await, pipeline or their own listener; an abandoned body must not crash the process.
  out.on('error', noop);
  const fail = (err: unknown) => out.destroy(toAppError(err, o.signal, o.host) as Error);
  const onAbort = () => fail(o.signal.reason);
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener('abort', onAbort, { once: true });
  // Also catches a connection that closes early without an error of its own.
  finished(source, (err) => {
    if (err) fail(err);
  });
  source.pipe(out);
  out.once('close', () => {
    o.signal.removeEventListener('abort', onAbort);
    if (!source.destroyed) source.destroy();
    o.release();
  });
  return out;
}

interface Deadline {
  signal: AbortSignal;
  clear(): void;
}

/** One timer for the whole fetch, joined with the caller's signal. */
function startDeadline(ms: number, caller: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(appError('upstream_timeout', `no complete response within ${ms} ms`)), ms);
  const signal = caller === undefined ? controller.signal : AbortSignal.any([controller.signal, caller]);
  return { signal, clear: () => clearTimeout(timer) };
}

function noop(): void {}

function redirectTarget(location: string, current: URL): Target {
  try {
    return parseTarget(location, current);
  } catch (err) {
    // The user's URL was fine; the upstream sent us somewhere unusable, which is a bad gateway.
    const detail = err instanceof AppError ? err.detail : 'invalid location';
    throw appError('upstream_unreachable', `redirected to ${clip(location)}: ${detail}`);
  }
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** Maps whatever failed to the contract's codes, with a short detail and no internals. */
function toAppError(err: unknown, signal: AbortSignal, host: string): unknown {
  if (signal.aborted && (err === signal.reason || isAbort(err))) {
    // A deadline is our AppError; the caller's own abort reason is passed back untouched.
    return signal.reason;
  }
  const found = findAppError(err);
  if (found !== undefined) return found;
  const code = errorCode(err) ?? (err instanceof Error && err.name === 'HTTPParserError' ? 'HPE_' : '');
  for (const [pattern, appCode, detail] of FAILURES) {
    if (pattern.test(code)) return appError(appCode, detail(host || 'the upstream', code), { cause: err });
  }
  return appError('upstream_unreachable', `the request to ${host || 'the upstream'} failed`, { cause: err });
}

// Network failures by error code (node, undici, llhttp, OpenSSL), first match wins.
const FAILURES: [RegExp, 'upstream_timeout' | 'upstream_unreachable', (host: string, code: string) => string][] = [
  [/^(UND_ERR_CONNECT_TIMEOUT|ETIMEDOUT)$/, 'upstream_timeout', (h) => `connecting to ${h} timed out`],
  [/^(UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/, 'upstream_timeout', (h) => `${h} stopped answering`],
  [/^(ENOTFOUND|EAI_\w+)$/, 'upstream_unreachable', (h) => `could not resolve ${h}`],
  [/^ECONNREFUSED$/, 'upstream_unreachable', (h) => `${h} refused the connection`],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_RES_CONTENT_LENGTH_MISMATCH)$/, 'upstream_unreachable',
    (h) => `${h} closed the connection before the response was complete`],
  [/^(EHOSTUNREACH|ENETUNREACH)$/, 'upstream_unreachable', (h) => `${h} is unreachable`],
  [/^UND_ERR_HEADERS_OVERFLOW$/, 'upstream_unreachable', (h) => `${h} sent response headers that are too large`],
  [/^HPE_/, 'upstream_unreachable', (h) => `${h} sent a malformed HTTP response`],
  [/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/, 'upstream_unreachable', (h, code) => `TLS with ${h} failed (${code})`],
];

function findAppError(err: unknown): AppError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (e instanceof AppError) return e;
    if (e instanceof AggregateError) {
      const inner = e.errors.find((x) => x instanceof AppError);
      if (inner !== undefined) return inner as AppError;
    }
  }
  return undefined;
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[] } | undefined;
  if (typeof e?.code === 'string') return e.code;
  // net's happy-eyeballs reports every attempt in an AggregateError.
  return Array.isArray(e?.errors) ? errorCode(e.errors[0]) : undefined;
}

function isAbort(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'UND_ERR_ABORTED' || code === 'UND_ERR_ABORT' || (err instanceof Error && err.name === 'AbortError');
}
