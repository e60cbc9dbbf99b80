/** The typed fetcher client (used by fetcher-cli), shaped by the fetcher's contract. */
import { ServiceCaller } from '@tfa/service-kit/client';
import { CallError } from '@tfa/service-kit/errors';
import { routes, type FetchResult } from './contract.ts';

/** A fetcher error (`{code, status, detail}`) or `fetcher_unavailable` when it cannot be reached. */
export class FetcherError extends CallError {
  override name = 'FetcherError';
}

/** The answer plus the trace id the fetcher put in its X-Amzn-Trace-Id response header. */
export interface FetchAnswer {
  result: FetchResult;
  traceHeader: string | undefined;
}

const fetcher = new ServiceCaller('fetcher', (code, status, detail, options) => new FetcherError(code, status, detail, options));

/** POSTs `{url}` to the fetcher's /fetch. */
export async function fetchVia(fetcherUrl: string, url: string, timeoutMs = 120_000): Promise<FetchAnswer> {
  const res = await fetcher.send('POST', `${fetcherUrl.replace(/\/+$/, '')}${routes.fetchPost.url}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
    timeoutMs,
  });
  const result = (await fetcher.json(res, 200)) as FetchResult;
  const header = res.headers['x-amzn-trace-id'];
  return { result, traceHeader: Array.isArray(header) ? header[0] : header };
}
