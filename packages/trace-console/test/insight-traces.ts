/**
 * fetcher → archiver traces that start at a chosen time, healthy or failing in one service:
 * the input of the insight detector's tests.
 */
import { randomBytes } from 'node:crypto';
import { spanId } from './fixtures.ts';

/** Which service fails: none, the archiver (its own fault), or the upstream host (an inferred node). */
export type Failure = 'none' | 'archiver' | 'upstream';

/** The two documents of one fetch starting at `t0` (epoch seconds). */
export function timedFetch(t0: number, failure: Failure): { trace: string; docs: Record<string, unknown>[] } {
  const trace = `1-${Math.floor(t0).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
  const archiverCall = spanId();
  const archiverStatus = failure === 'archiver' ? 500 : 201;
  const upstreamStatus = failure === 'upstream' ? 503 : 200;
  const status = failure === 'none' ? 200 : 502;
  const fetcher = {
    name: 'fetcher',
    id: spanId(),
    trace_id: trace,
    start_time: t0,
    end_time: t0 + 0.5,
    http: { request: { method: 'GET', url: 'http://127.0.0.1:8081/fetch/http://example.test/page' }, response: { status } },
    fault: status >= 500,
    subsegments: [
      {
        id: spanId(),
        name: 'example.test',
        namespace: 'remote',
        start_time: t0 + 0.01,
        end_time: t0 + 0.2,
        http: { request: { method: 'GET', url: 'http://example.test/page' }, response: { status: upstreamStatus } },
        fault: upstreamStatus >= 500,
      },
      ...(failure === 'upstream'
        ? []
        : [
            {
              id: archiverCall,
              name: 'archiver',
              namespace: 'remote',
              start_time: t0 + 0.21,
              end_time: t0 + 0.45,
              http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive', traced: true }, response: { status: archiverStatus } },
              fault: archiverStatus >= 500,
            },
          ]),
    ],
  };
  if (failure === 'upstream') return { trace, docs: [fetcher] };
  const archiver = {
    name: 'archiver',
    id: spanId(),
    trace_id: trace,
    parent_id: archiverCall,
    start_time: t0 + 0.22,
    end_time: t0 + 0.44,
    http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive' }, response: { status: archiverStatus } },
    fault: archiverStatus >= 500,
    ...(failure === 'archiver' ? { cause: { exceptions: [{ id: spanId(), type: 'Error', message: 'disk full' }] } } : {}),
  };
  return { trace, docs: [fetcher, archiver] };
}
