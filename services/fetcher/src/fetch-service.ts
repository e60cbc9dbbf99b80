/**
 * Fetch-and-archive: the upstream body streams straight from its socket into
 * the archiver's raw upload, so memory does not grow with the document.
 */
import type { Logger } from 'pino';
import { ArchiverError, type ArchiverClient } from '@tfa/archiver/client';
import { AppError, appError } from '@tfa/service-kit/errors';
import { annotate } from '@tfa/service-tracing/annotate';
import type { FetchResult } from './contract.ts';
import type { Upstream } from './upstream.ts';

/** The fetcher's domain operation, apart from HTTP routing. */
export class FetchService {
  readonly #upstream: Upstream;
  readonly #archiver: ArchiverClient;

  constructor(upstream: Upstream, archiver: ArchiverClient) {
    this.#upstream = upstream;
    this.#archiver = archiver;
  }

  /** Fetches `url` and archives the answer, whatever its status. */
  async fetch(url: string, log: Logger): Promise<Omit<FetchResult, 'trace_id'>> {
    annotate('remote_url', url);
    const res = await this.#upstream.get(url);
    annotate('remote_url', res.url);
    annotate('remote_status', res.status);
    let bodyError: unknown;
    res.body.once('error', (err) => (bodyError = err));
    log.info({ url: res.url, status: res.status, redirects: res.redirects.length }, 'upstream answered');
    try {
      const archive = await this.#archiver.createRaw(res.body, { status: res.status, url: res.url, contentType: res.contentType, headers: res.headers });
      annotate('archive_id', archive.id);
      return { status: res.status, archive_href: archive.href, archive_url: `${this.#archiver.baseUrl}${archive.href}`, url: res.url, size: archive.size };
    } catch (err) {
      // An upstream failure mid-body aborts the upload: report the cause, not its echo from the archiver.
      if (bodyError instanceof AppError) throw bodyError;
      res.body.destroy();
      throw archiverFailure(err);
    }
  }

  /** True while the archiver answers its health check. */
  health(): Promise<boolean> {
    return this.#archiver.health();
  }
}

function archiverFailure(err: unknown): AppError {
  if (err instanceof ArchiverError) {
    if (err.code === 'body_too_large') return appError('body_too_large', 'the document is larger than the archiver accepts');
    if (err.code === 'insufficient_storage') return appError('insufficient_storage', err.detail, { headers: { 'retry-after': '30' } });
    if (err.code === 'archiver_unavailable') return appError('archiver_unavailable', err.detail, { headers: { 'retry-after': '5' } });
    return appError('archiver_unavailable', `the archiver refused the document (${err.code})`, { headers: { 'retry-after': '5' } });
  }
  return appError('archiver_unavailable', 'the archiver upload failed', { cause: err, headers: { 'retry-after': '5' } });
}
