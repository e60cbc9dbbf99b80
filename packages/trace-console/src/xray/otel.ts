/**
 * ListRetrievedTraces' `OTEL` format: a trace's segment documents back as OTLP spans in the
 * OTLP/JSON encoding (ids hex, times as nanosecond strings, kinds and status codes as OTLP
 * numbers). Each segment and each subsegment becomes one span (inferred segments, which
 * only X-Ray's processing adds, do not); each span's Document is an
 * OTLP/JSON ExportTraceServiceRequest holding just that span under its segment's resource, so
 * any OTLP/JSON decoder reads it.
 */
import { obj, str, num, type Doc } from '../model/graph.ts';

/** One OTLP span of a retrieved trace: its span id and its OTLP/JSON document. */
export interface OtelSpan {
  id: string;
  document: Record<string, unknown>;
}

type KeyValue = { key: string; value: Record<string, unknown> };

/** OTLP's SpanKind numbers. */
const KIND = { internal: 1, server: 2, client: 3 } as const;

/** OTLP spans of one trace's (processed) segment documents. */
export function toOtelSpans(segments: readonly Doc[]): OtelSpan[] {
  const out: OtelSpan[] = [];
  for (const seg of segments) {
    if (seg.inferred === true) continue; // X-Ray's drawing of an unanswered call, not a span anyone sent
    const traceId = otelTraceId(str(seg.trace_id) ?? '');
    const resource = { attributes: resourceAttributes(seg) };
    const walk = (entity: Doc, parentId: string | undefined, isSegment: boolean) => {
      const id = str(entity.id);
      if (id === undefined) return;
      const span = toSpan(entity, traceId, parentId, isSegment);
      out.push({ id, document: { resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'trace-console' }, spans: [span] }] }] } });
      const subs = entity.subsegments;
      if (Array.isArray(subs)) for (const sub of subs) if (sub && typeof sub === 'object') walk(sub as Doc, id, false);
    };
    walk(seg, str(seg.parent_id), true);
  }
  return out;
}

/** `1-5759e988-bd862e3fe1be46a994272793` → `5759e988bd862e3fe1be46a994272793`. */
export function otelTraceId(xray: string): string {
  const m = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/i.exec(xray);
  return m ? (m[1]! + m[2]!).toLowerCase() : xray;
}

function toSpan(entity: Doc, traceId: string, parentId: string | undefined, isSegment: boolean): Record<string, unknown> {
  const start = num(entity.start_time) ?? 0;
  const end = num(entity.end_time) ?? start;
  const remote = entity.namespace === 'remote' || entity.namespace === 'aws';
  const attributes: KeyValue[] = [];
  const http = obj(entity.http);
  const request = obj(http.request);
  const status = num(obj(http.response).status);
  if (str(request.method)) attributes.push(kv('http.request.method', request.method));
  if (str(request.url)) attributes.push(kv('url.full', request.url));
  if (str(request.user_agent)) attributes.push(kv('user_agent.original', request.user_agent));
  if (str(request.client_ip)) {
    attributes.push(kv('client.address', request.client_ip));
    // Not forwarded: the client is the socket's peer (so the way back to X-Ray keeps it so).
    if (request.x_forwarded_for !== true) attributes.push(kv('network.peer.address', request.client_ip));
  }
  if (status !== undefined) attributes.push(kv('http.response.status_code', status));
  const annotations = obj(entity.annotations);
  for (const [key, value] of Object.entries(annotations)) attributes.push(kv(key, value));
  if (Object.keys(annotations).length > 0) attributes.push({ key: 'aws.xray.annotations', value: { arrayValue: { values: Object.keys(annotations).map((k) => ({ stringValue: k })) } } });
  if (remote && isSegment === false && entity.namespace === 'aws') attributes.push(kv('rpc.system', 'aws-api'));
  const sql = obj(entity.sql);
  if (str(sql.sanitized_query)) attributes.push(kv('db.query.text', sql.sanitized_query));
  if (entity.in_progress === true) attributes.push(kv('aws.xray.in_progress', true));
  const events = exceptionEvents(entity, end);
  const failed = entity.fault === true || entity.error === true || (status !== undefined && status >= 500);
  const span: Record<string, unknown> = {
    traceId,
    spanId: str(entity.id),
    ...(parentId !== undefined ? { parentSpanId: parentId } : {}),
    name: str(entity.name) ?? '',
    kind: isSegment ? KIND.server : remote ? KIND.client : KIND.internal,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(end),
    attributes,
    events,
    status: failed ? { code: 2 } : {},
  };
  if (Array.isArray(entity.links)) {
    span.links = entity.links.map((l) => obj(l)).filter((l) => str(l.trace_id) && str(l.id)).map((l) => ({ traceId: otelTraceId(str(l.trace_id)!), spanId: str(l.id) }));
  }
  return span;
}

function resourceAttributes(seg: Doc): KeyValue[] {
  const attrs: KeyValue[] = [kv('service.name', str(seg.name) ?? '')];
  const aws = obj(seg.aws);
  if (str(seg.origin)) attrs.push(kv('cloud.platform', seg.origin));
  if (str(aws.account_id)) attrs.push(kv('cloud.account.id', aws.account_id));
  const ec2 = obj(aws.ec2);
  if (str(ec2.instance_id)) attrs.push(kv('host.id', ec2.instance_id));
  if (str(ec2.availability_zone)) attrs.push(kv('cloud.availability_zone', ec2.availability_zone));
  const service = obj(seg.service);
  if (str(service.version)) attrs.push(kv('service.version', service.version));
  return attrs;
}

function exceptionEvents(entity: Doc, end: number): Record<string, unknown>[] {
  const list = obj(entity.cause).exceptions;
  if (!Array.isArray(list)) return [];
  return list.map((e) => {
    const ex = obj(e);
    const attributes = [kv('exception.type', str(ex.type) ?? ''), kv('exception.message', str(ex.message) ?? '')];
    return { timeUnixNano: nanos(end), name: 'exception', attributes };
  });
}

/** An OTLP/JSON AnyValue: ints as strings (int64), other numbers as doubles. */
function kv(key: string, value: unknown): KeyValue {
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  if (typeof value === 'number') return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
  return { key, value: { stringValue: String(value) } };
}

/** Epoch seconds → OTLP's nanosecond string, exact to the microsecond X-Ray documents carry. */
function nanos(seconds: number): string {
  return (BigInt(Math.round(seconds * 1e6)) * 1000n).toString();
}
