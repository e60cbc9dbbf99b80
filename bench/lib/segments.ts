/**
 * Segment documents for the console benches: X-Ray trace ids stamped with the current time
 * (the console refuses ids older than 30 days), unique ids from a counter.
 */
import { randomBytes } from 'node:crypto';

const run = randomBytes(6).toString('hex'); // 12 hex: this run's ids never collide with another's
let counter = 0;

/** `1-<8 hex epoch>-<24 hex>`, unique within and across runs. */
export function traceId(epochSeconds = Date.now() / 1000): string {
  return `1-${Math.floor(epochSeconds).toString(16).padStart(8, '0')}-${run}${(++counter).toString(16).padStart(12, '0')}`;
}

/** 16 hex, unique within a run. */
export function spanId(): string {
  return `${run.slice(0, 4)}${(++counter).toString(16).padStart(12, '0')}`;
}

export const DAEMON_HEADER = '{"format":"json","version":1}\n';

/** One fetcher segment (with its upstream and archiver subsegments): ~700 bytes of JSON. */
export function fetcherSegment(trace: string, start: number, i: number): Record<string, unknown> {
  const status = i % 100 === 0 ? 500 : i % 10 === 0 ? 404 : 200;
  const host = `site-${i % 50}.example`;
  const url = `http://${host}/page-${i % 1000}`;
  const dur = 0.02 + (i % 97) / 1000;
  return {
    name: 'fetcher',
    id: spanId(),
    trace_id: trace,
    start_time: start,
    end_time: start + dur,
    http: { request: { method: 'GET', url: `http://127.0.0.1:8081/fetch/${url}` }, response: { status: status === 500 ? 502 : 200 } },
    annotations: { remote_url: url, remote_status: status },
    fault: status === 500,
    subsegments: [
      { id: spanId(), name: host, namespace: 'remote', start_time: start + 0.001, end_time: start + dur / 2, http: { request: { method: 'GET', url }, response: { status } }, fault: status >= 500, error: status >= 400 && status < 500 },
      { id: spanId(), name: 'archiver', namespace: 'remote', start_time: start + dur / 2, end_time: start + dur - 0.001, http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive', traced: true }, response: { status: 201 } } },
    ],
  };
}

/** The archiver's own segment, parented on the fetcher's archiver subsegment. */
export function archiverSegment(fetcher: Record<string, unknown>): Record<string, unknown> {
  const call = (fetcher.subsegments as Record<string, unknown>[])[1]!;
  return {
    name: 'archiver',
    id: spanId(),
    trace_id: fetcher.trace_id,
    parent_id: call.id,
    start_time: (call.start_time as number) + 0.0005,
    end_time: (call.end_time as number) - 0.0005,
    http: { request: { method: 'POST', url: '/archive' }, response: { status: 201 } },
    subsegments: [{ id: spanId(), name: 'sqlite', namespace: 'remote', start_time: (call.start_time as number) + 0.001, end_time: (call.end_time as number) - 0.001, sql: { database_type: 'sqlite', sanitized_query: 'INSERT INTO archives ...' } }],
  };
}
