/** The console's JSON API as the UI uses it (DESIGN.md, trace-console rows). Same origin only. */

/** A row of `GET /api/traces` and the data of an `/api/events` `trace` event. */
export interface TraceSummary {
  id: string;
  /** Seconds: earliest start to latest end over every segment. */
  duration: number;
  /** Seconds: the root segment's own time (X-Ray's `responsetime`); older servers may omit it. */
  response_time?: number;
  method?: string | null;
  url?: string | null;
  status?: number | null;
  services: string[];
  error: boolean;
  fault: boolean;
  throttle: boolean;
  annotations: Record<string, unknown>;
  /** Epoch seconds. */
  start_time: number;
}

/** `GET /api/traces/{id}`. */
export interface TraceDocuments {
  id: string;
  duration: number;
  segments: Record<string, unknown>[];
}

/** One edge of `GET /api/service-graph`. */
export interface GraphEdge {
  to: string;
  count: number;
  errors: number;
  faults: number;
  throttles: number;
  latency: { p50: number; p90: number; p99: number; avg?: number };
}

/** One node of `GET /api/service-graph`. */
export interface GraphService {
  name: string;
  type: 'service' | 'remote' | 'client';
  edges: GraphEdge[];
}

/** The API's error body; `position`/`expected` for a bad filter. */
export interface ApiError {
  id?: string;
  code: string;
  status: number;
  detail: string;
  position?: number;
  expected?: string[];
}

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

/** `GET /api/traces` for a filter and window (epoch seconds). */
export function listTraces(filter: string, since: number | undefined, signal?: AbortSignal, until?: number): Promise<{ traces: TraceSummary[] }> {
  const q = new URLSearchParams({ limit: String(listLimit) });
  if (filter.trim() !== '') q.set('filter', filter);
  if (since !== undefined) q.set('since', String(since));
  if (until !== undefined) q.set('until', String(until));
  return getJson(`/api/traces?${q}`, signal);
}

/** X-Ray's response time of a trace (what the `responsetime` keyword filters on). */
export function responseTime(t: TraceSummary): number {
  return t.response_time ?? t.duration;
}

/** Keys of annotations, for completion; values may be a list or a scalar. */
export function annotationText(annotations: Record<string, unknown>): string {
  return Object.entries(annotations ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
    .join(' ');
}
