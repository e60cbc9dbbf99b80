/** The typed fetcher client (used by fetcher-cli), shaped by the fetcher's contract. */
import { request } from 'undici';
import { CallError } from '@tfa/service-kit/errors';
import type { ErrorBody, FetchResult } from './contract.ts';

/** A fetcher error (`{code, status, detail}`) or `fetcher_unavailable` when it cannot be reached. */
export class FetcherError extends CallError {
  override name = 'FetcherError';
}

/** The answer plus the trace id the fetcher put in its X-Amzn-Trace-Id response header. */
export interface FetchAnswer {
  result: FetchResult;
  traceHeader: string | undefined;
}

/** POSTs `{url}` to the fetcher's /fetch. */
export async function fetchVia(fetcherUrl: string, url: string, timeoutMs = 120_000): Promise<FetchAnswer> {
  let res;
  try {
    res = await request(`${fetcherUrl.replace(/\/+$/, '')}/fetch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FetcherError('fetcher_unavailable', 503, `cannot reach the fetcher at ${fetcherUrl} (${code === 'ECONNREFUSED' ? 'connection refused' : (code ?? (err as Error).message)})`);
  }
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FetcherError('fetcher_invalid', 502, `the fetcher answered ${res.statusCode} with a body that is not JSON`);
  }
  if (res.statusCode !== 200) {
    const e = parsed as Partial<ErrorBody>;
    throw new FetcherError(e.code ?? 'fetcher_error', res.statusCode, e.detail ?? `status ${res.statusCode}`);
  }
  const header = res.headers['x-amzn-trace-id'];
  return { result: parsed as FetchResult, traceHeader: Array.isArray(header) ? header[0] : header };
}
