/**
 * The pure span → X-Ray document mapping (XRAY-REFERENCE §4), no I/O. Each span becomes
 * its own document, as in the collector: SERVER spans and spans without a parent are
 * segments, every other span an independent subsegment. Both the SDK exporter (through
 * `fromReadableSpan`) and the console's OTLP ingest feed it a `TranslatorSpan`.
 */
import type { Link, SegmentDocument, Segment, Subsegment } from './types.ts';
import type { Attrs } from './translate-values.ts';
import { randomSpanId, toXRayTraceId } from './ids.ts';
import { documentName, documentNamespace, KIND_SERVER } from './translate-name.ts';
import { HTTP_KEYS, httpStatus, makeHttp } from './translate-http.ts';
import { makeCause, makeFlags } from './translate-cause.ts';
import { makeSql, SQL_KEYS } from './translate-sql.ts';
import { AWS_KEYS, makeSubsegmentAws, resourceInfo } from './translate-aws.ts';
import { AttributeSink } from './translate-attrs.ts';

/** A span event as the translator reads it. */
export interface TranslatorEvent {
  readonly name: string;
  /** Epoch seconds. */
  readonly time: number;
  readonly attributes?: Attrs;
}

/** A span link as the translator reads it. */
export interface TranslatorLink {
  /** 32 hex. */
  readonly traceId: string;
  /** 16 hex. */
  readonly spanId: string;
  readonly attributes?: Attrs;
}

/**
 * The span shape the translator needs: satisfied by an SDK ReadableSpan through
 * `fromReadableSpan` and by a decoded OTLP span through a small adapter.
 */
export interface TranslatorSpan {
  /** 32 lowercase hex. */
  readonly traceId: string;
  /** 16 lowercase hex. */
  readonly spanId: string;
  /** 16 lowercase hex, or undefined (or '') for a root span. */
  readonly parentSpanId?: string;
  readonly name: string;
  /** OTel API SpanKind number: INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4 (OTLP's value − 1). */
  readonly kind: number;
  /** Epoch seconds (fractional). */
  readonly startTime: number;
  /** Epoch seconds; undefined while the span is still running (→ `in_progress`). */
  readonly endTime?: number;
  /** Span attributes; values as the SDK or OTLP decoder gives them. */
  readonly attributes: Attrs;
  readonly events: readonly TranslatorEvent[];
  /** OTel status: code UNSET 0, OK 1, ERROR 2 (same numbers in OTLP). */
  readonly status: { readonly code: number; readonly message?: string };
  readonly links: readonly TranslatorLink[];
  /** Resource attributes; keep one object per resource so per-resource work is cached. */
  readonly resource: Attrs;
  /** Instrumentation scope. */
  readonly scope?: { readonly name: string; readonly version?: string };
}

/** Options of spanToDocument. */
export interface TranslateOptions {
  /** Attribute keys (span or resource) always written as annotations (collector `indexed_attributes`). */
  indexedAttributes?: readonly string[];
  /** Id source for `cause.exceptions[].id`; default CSPRNG 16 hex. */
  newId?: () => string;
}

const METADATA_PREFIX = 'aws.xray.metadata.';
/** Span attributes that steer the translation and are never copied into the document. */
const CONTROL_KEYS: ReadonlySet<string> = new Set(['aws.xray.annotations', 'aws.xray.traced', 'enduser.id']);

/** Rounds epoch seconds to microseconds (§3.3), so JSON carries no float noise. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

/** Translates one span into its X-Ray document (segment or independent subsegment). */
export function spanToDocument(span: TranslatorSpan, options: TranslateOptions = {}): SegmentDocument {
  const attrs = span.attributes;
  const hasParent = span.parentSpanId !== undefined && span.parentSpanId !== '';
  const isSegment = span.kind === KIND_SERVER || !hasParent;
  const doc = {
    name: documentName(span.kind, span.name, attrs, span.resource),
    id: span.spanId,
    trace_id: toXRayTraceId(span.traceId),
    start_time: roundSeconds(span.startTime),
  } as SegmentDocument;
  if (span.endTime === undefined) doc.in_progress = true;
  else doc.end_time = roundSeconds(span.endTime);
  if (isSegment) {
    if (hasParent) doc.parent_id = span.parentSpanId;
  } else {
    const sub = doc as Subsegment;
    sub.type = 'subsegment';
    sub.parent_id = span.parentSpanId!;
    const namespace = documentNamespace(span.kind, attrs);
    if (namespace !== undefined) sub.namespace = namespace;
  }

  const http = makeHttp(span.kind, isSegment, attrs, span.events);
  if (http !== undefined) doc.http = http;
  const sql = isSegment ? undefined : makeSql(attrs);
  if (sql !== undefined) (doc as Subsegment).sql = sql;
  const subAws = isSegment ? undefined : makeSubsegmentAws(attrs);
  if (subAws !== undefined) doc.aws = subAws;

  const flags = makeFlags(httpStatus(attrs), span.status.code);
  doc.error = flags.error;
  doc.throttle = flags.throttle;
  doc.fault = flags.fault;
  const cause = makeCause(span.kind, span.status.code, span.status.message, attrs, span.events,
    typeof span.resource['telemetry.sdk.language'] === 'string' ? span.resource['telemetry.sdk.language'] : undefined,
    options.newId ?? randomSpanId);
  if (cause !== undefined) doc.cause = cause;

  const user = attrs['enduser.id'];
  if (typeof user === 'string' && user.length > 0) doc.user = user.length > 250 ? user.slice(0, 250) : user;

  const sink = new AttributeSink();
  annotate(sink, attrs, span.resource, isSegment, options.indexedAttributes);
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined || CONTROL_KEYS.has(key) || sink.isAnnotated(key)) continue;
    if (http !== undefined && HTTP_KEYS.has(key)) continue;
    if (sql !== undefined && SQL_KEYS.has(key)) continue;
    if (subAws !== undefined && AWS_KEYS.has(key)) continue;
    if (key.startsWith(METADATA_PREFIX)) sink.metaJson(key, key.slice(METADATA_PREFIX.length), value);
    else sink.meta('default', key, value);
  }
  if (span.scope !== undefined && span.scope.name.length > 0) {
    sink.meta('default', 'otel.scope.name', span.scope.name);
    if (span.scope.version) sink.meta('default', 'otel.scope.version', span.scope.version);
  }
  if (isSegment) addResource(doc as Segment, sink, span.resource);
  if (sink.annotations !== undefined) doc.annotations = sink.annotations;
  if (sink.metadata !== undefined) doc.metadata = sink.metadata;

  if (span.links.length > 0) doc.links = span.links.map(toLink);
  return doc;
}

function annotate(sink: AttributeSink, attrs: Attrs, resource: Attrs, isSegment: boolean, indexed: readonly string[] | undefined): void {
  const listed = attrs['aws.xray.annotations'];
  if (Array.isArray(listed)) {
    for (let i = 0; i < listed.length; i++) {
      const key = listed[i];
      if (typeof key === 'string' && attrs[key] !== undefined) sink.annotate(key, attrs[key]);
    }
  }
  if (indexed === undefined) return;
  for (let i = 0; i < indexed.length; i++) {
    const key = indexed[i];
    if (attrs[key] !== undefined) sink.annotate(key, attrs[key]);
    else if (isSegment && resource[key] !== undefined) sink.annotate(key, resource[key]);
  }
}

function addResource(doc: Segment, sink: AttributeSink, resource: Attrs): void {
  const info = resourceInfo(resource);
  if (info.aws !== undefined && doc.aws === undefined) doc.aws = info.aws;
  if (info.origin !== undefined) doc.origin = info.origin;
  if (info.version !== undefined) doc.service = { version: info.version };
  for (let i = 0; i < info.metadata.length; i++) {
    const [key, value] = info.metadata[i];
    // An indexed resource attribute already became an annotation (§4.6).
    if (!sink.isAnnotated(key.slice(14))) sink.meta('default', key, value);
  }
}

function toLink(link: TranslatorLink): Link {
  const out: Link = { trace_id: toXRayTraceId(link.traceId), id: link.spanId };
  if (link.attributes !== undefined && hasKeys(link.attributes)) out.attributes = { ...link.attributes };
  return out;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
