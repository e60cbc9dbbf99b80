/** The console's JSON API as the UI uses it (DESIGN.md, trace-console rows). Same origin only. */

import type { FilterErrorBody, TraceList, TraceSummary } from '../api/contract.ts';

// Types only (erased by esbuild): the shapes are the server's contract, src/console/api/contract.ts.
export type { DiagnosticsBody, GraphEdge, GraphService, ServiceGraphBody, TraceDocuments, TraceSummary } from '../api/contract.ts';

/** The API's error body (`position`/`expected` for a bad filter); `id` is absent when the answer was not JSON. */
export type ApiError = Omit<FilterErrorBody, 'id'> & { id?: string };

/** A non-2xx answer. */
export class ApiFailure extends Error {
  readonly body: ApiError;
  constructor(body: ApiError) {
    super(body.detail);
    this.body = body;
  }
}

/** GETs JSON; throws ApiFailure with the API's error body. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, signal });
  const body = await res.json().catch(() => ({ code: 'bad_response', status: res.status, detail: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new ApiFailure(body as ApiError);
  return body as T;
}

/** The most the list endpoint hands out per request. */
export const listLimit = 1000;

/** POSTs JSON to the console API; throws ApiFailure with the API's error body. */
export async function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  const answer = await res.json().catch(() => ({ code: 'bad_response', status: res.status, detail: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new ApiFailure(answer as ApiError);
  return answer as T;
}

/** `GET /api/traces` for a filter, window (epoch seconds) and group (its expression ANDed). */
export function listTraces(filter: string, since: number | undefined, signal?: AbortSignal, until?: number, group = ''): Promise<TraceList> {
  const q = new URLSearchParams({ limit: String(listLimit) });
  if (filter.trim() !== '') q.set('filter', filter);
  if (group !== '') q.set('group', group);
  if (since !== undefined) q.set('since', String(since));
  if (until !== undefined) q.set('until', String(until));
  return getJson(`/api/traces?${q}`, signal);
}

/**
 * A list query read a page at a time, newest first, with the list endpoint as it is: each
 * next page asks for traces starting at or before the oldest one read so far (`until`) and
 * drops those already read, since traces of that very start time come back again.
 */
export class TracePager {
  readonly #seen = new Set<string>();
  #oldest: number | undefined;
  /** Whether older traces may exist: the last page was full and brought something new. */
  more = true;
  /** Pages read so far. */
  pages = 0;

  readonly filter: string;
  /** Epoch seconds, fixed for every page of the query. */
  readonly since: number | undefined;
  /** The group whose expression narrows the query ('' for none). */
  readonly group: string;

  constructor(filter: string, since: number | undefined, group = '') {
    this.filter = filter;
    this.since = since;
    this.group = group;
  }

  /** The next (older) page, without the traces already read. */
  async next(signal?: AbortSignal): Promise<TraceSummary[]> {
    const { traces } = await listTraces(this.filter, this.since, signal, this.#oldest, this.group);
    const fresh = traces.filter((t) => !this.#seen.has(t.id));
    for (const t of fresh) {
      this.#seen.add(t.id);
      if (this.#oldest === undefined || t.start_time < this.#oldest) this.#oldest = t.start_time;
    }
    this.pages++;
    // A short page is the end. So is a full page of nothing new: more than a page of traces
    // share one start time, and `until` cannot get past them.
    this.more = traces.length >= listLimit && fresh.length > 0;
    return fresh;
  }
}

/** Keys of annotations, for completion; values may be a list or a scalar. */
export function annotationText(annotations: Record<string, unknown>): string {
  return Object.entries(annotations)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
    .join(' ');
}
