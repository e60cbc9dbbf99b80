/**
 * Segment documents for the console's tests: ids stamped with the current time (the console
 * refuses trace ids older than 30 days), and the fetcher → archiver trace the services make.
 */
import { randomBytes } from 'node:crypto';

/** 16 random hex digits. */
export const spanId = (): string => randomBytes(8).toString('hex');

/** A fresh X-Ray trace id stamped `secondsAgo` before now. */
export function traceId(secondsAgo = 0): string {
  return `1-${Math.floor(Date.now() / 1000 - secondsAgo).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

/** A minimal complete segment. */
export function segment(trace: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const start = Date.now() / 1000 - 1;
  return { name: 'svc', id: spanId(), trace_id: trace, start_time: start, end_time: start + 0.25, ...overrides };
}

/** The documents of one fetch: the fetcher's segment (with the upstream and archiver calls) and the archiver's segment. */
export function fetchTrace(options: { upstreamStatus?: number; status?: number; host?: string } = {}) {
  const trace = traceId();
  const t0 = Date.now() / 1000 - 2;
  const host = options.host ?? 'example.test';
  const fetcherId = spanId();
  const upstreamCall = spanId();
  const archiverCall = spanId();
  const status = options.status ?? 200;
  const upstreamStatus = options.upstreamStatus ?? 200;
  const fetcher = {
    name: 'fetcher',
    id: fetcherId,
    trace_id: trace,
    start_time: t0,
    end_time: t0 + 0.5,
    http: { request: { method: 'GET', url: `http://127.0.0.1:8081/fetch/http://${host}/page` }, response: { status } },
    annotations: { remote_url: `http://${host}/page`, remote_status: upstreamStatus },
    fault: status >= 500,
    error: status >= 400 && status < 500,
    subsegments: [
      {
        id: upstreamCall,
        name: host,
        namespace: 'remote',
        start_time: t0 + 0.01,
        end_time: t0 + 0.2,
        http: { request: { method: 'GET', url: `http://${host}/page` }, response: { status: upstreamStatus } },
        error: upstreamStatus >= 400 && upstreamStatus < 500,
        fault: upstreamStatus >= 500,
      },
      {
        id: archiverCall,
        name: 'archiver',
        namespace: 'remote',
        start_time: t0 + 0.21,
        end_time: t0 + 0.45,
        http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive', traced: true }, response: { status: 201 } },
      },
    ],
  };
  const archiver = {
    name: 'archiver',
    id: spanId(),
    trace_id: trace,
    parent_id: archiverCall,
    start_time: t0 + 0.22,
    end_time: t0 + 0.44,
    http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive' }, response: { status: 201 } },
  };
  return { trace, fetcher, archiver, ids: { fetcherId, upstreamCall, archiverCall } };
}

/** The daemon framing of one document (§2.1). */
export function datagram(doc: unknown, header = '{"format":"json","version":1}'): Buffer {
  return Buffer.from(`${header}\n${typeof doc === 'string' ? doc : JSON.stringify(doc)}`);
}

/** An OTel trace id whose first 8 hex are the current epoch seconds (X-Ray compatible). */
export const otelTraceId = () => Math.floor(Date.now() / 1000).toString(16).padStart(8, '0') + randomBytes(12).toString('hex');
/** The X-Ray form of an OTel trace id. */
export const xrayId = (otel: string) => `1-${otel.slice(0, 8)}-${otel.slice(8)}`;

/** A server span and its client child, as OTLP/JSON (ids hex, kinds OTLP numbers, times in ns strings). */
export function jsonRequest(traceId: string, serverId: string, clientId: string) {
  const t0 = BigInt(Date.now() - 1000) * 1_000_000n;
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'otel-svc')] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: [
              {
                traceId,
                spanId: serverId,
                name: 'GET /items',
                kind: 2,
                startTimeUnixNano: String(t0),
                endTimeUnixNano: String(t0 + 300_000_000n),
                attributes: [str('http.request.method', 'GET'), str('url.full', 'http://127.0.0.1:9/items'), { key: 'http.response.status_code', value: { intValue: '200' } }],
                status: {},
              },
              {
                traceId,
                spanId: clientId,
                parentSpanId: serverId,
                name: 'GET',
                kind: 3,
                startTimeUnixNano: String(t0 + 10_000_000n),
                endTimeUnixNano: String(t0 + 200_000_000n),
                attributes: [str('http.request.method', 'GET'), str('server.address', 'api.example.test'), str('url.full', 'http://api.example.test/x'), { key: 'http.response.status_code', value: { intValue: '503' } }],
                status: { code: 2 },
              },
            ],
          },
        ],
      },
    ],
  };
}
