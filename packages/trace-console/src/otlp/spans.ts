/**
 * A decoded ExportTraceServiceRequest → TranslatorSpans: the one adapter behind both the
 * protobuf and the JSON path, so `spanToDocument` sees OTLP spans exactly as it sees SDK
 * spans through `fromReadableSpan` (same kinds, seconds, hex ids, attribute shapes).
 */
import type { Attrs } from '@tfa/otel-xray/wire/translate-values';
import type { TranslatorEvent, TranslatorLink, TranslatorSpan } from '@tfa/otel-xray/wire/translate';
import type { ExportTraceServiceRequestMessage, Int64, ScopeSpansMessage, SpanMessage } from './schema.ts';
import { OtlpDecodeError } from './errors.ts';
import { int64ToBigInt, keyValues } from './values.ts';

/** Spans accepted per request, as X-Ray's OTLP endpoint (XRAY-REFERENCE §2.5). */
export const MAX_SPANS = 10_000;

const NO_EVENTS: readonly TranslatorEvent[] = [];
const NO_LINKS: readonly TranslatorLink[] = [];
const BILLION = 1_000_000_000n;

/** Unix nanoseconds → epoch seconds rounded to microseconds, as `hrTimeToSeconds` does for the SDK. */
export function nanosToSeconds(nanos: Int64 | undefined): number {
  if (nanos === undefined) return 0;
  const n = int64ToBigInt(nanos);
  return Number(n / BILLION) + Math.round(Number(n % BILLION) / 1000) / 1e6;
}

function isZero(nanos: Int64 | undefined): boolean {
  return nanos === undefined || (typeof nanos === 'number' ? nanos === 0 : nanos.low === 0 && nanos.high === 0);
}

function hexId(bytes: Uint8Array | undefined, length: number, what: string): string {
  if (bytes === undefined || bytes.length !== length) {
    throw new OtlpDecodeError(`${what} must be ${length} bytes, got ${bytes?.length ?? 0}`);
  }
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  if (/^0+$/.test(hex)) throw new OtlpDecodeError(`${what} must not be all zeros`);
  return hex;
}

function toSpan(span: SpanMessage, resource: Attrs, scope: TranslatorSpan['scope']): TranslatorSpan {
  const parent = span.parentSpanId;
  const otlpKind = span.kind ?? 0;
  const kind = otlpKind >= 1 && otlpKind <= 5 ? otlpKind - 1 : 0; // UNSPECIFIED → INTERNAL, as the collector reads it
  const status = span.status ?? undefined;
  const events = span.events;
  const links = span.links;
  return {
    traceId: hexId(span.traceId, 16, 'span trace_id'),
    spanId: hexId(span.spanId, 8, 'span span_id'),
    parentSpanId: parent === undefined || parent.length === 0 ? undefined : hexId(parent, 8, 'span parent_span_id'),
    name: span.name ?? '',
    kind,
    startTime: nanosToSeconds(span.startTimeUnixNano),
    // An end time of 0 means the sender exported a span that has not ended.
    endTime: isZero(span.endTimeUnixNano) ? undefined : nanosToSeconds(span.endTimeUnixNano),
    attributes: keyValues(span.attributes),
    events: events === undefined || events.length === 0
      ? NO_EVENTS
      : events.map((e) => ({ name: e.name ?? '', time: nanosToSeconds(e.timeUnixNano), attributes: keyValues(e.attributes) })),
    status: status === undefined || !status.message
      ? { code: status?.code ?? 0 }
      : { code: status.code ?? 0, message: status.message },
    links: links === undefined || links.length === 0
      ? NO_LINKS
      : links.map((l) => ({ traceId: hexId(l.traceId, 16, 'link trace_id'), spanId: hexId(l.spanId, 8, 'link span_id'), attributes: keyValues(l.attributes) })),
    resource,
    scope,
  };
}

function toScope(group: ScopeSpansMessage): TranslatorSpan['scope'] {
  // InstrumentationLibrary is the deprecated, wire-compatible predecessor of InstrumentationScope.
  const scope = group.scope ?? group.instrumentationLibrary ?? undefined;
  if (scope === undefined || !scope.name) return undefined;
  return scope.version ? { name: scope.name, version: scope.version } : { name: scope.name };
}

/** Every span of the request as a TranslatorSpan; throws OtlpDecodeError past MAX_SPANS or on a bad id. */
export function requestToSpans(request: ExportTraceServiceRequestMessage): TranslatorSpan[] {
  const out: TranslatorSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    // One resource object per ResourceSpans, so the translator's per-resource caching works.
    const resource = keyValues(rs.resource?.attributes);
    const groups = [...(rs.scopeSpans ?? []), ...(rs.instrumentationLibrarySpans ?? [])];
    for (const group of groups) {
      const spans = group.spans ?? [];
      if (out.length + spans.length > MAX_SPANS) throw new OtlpDecodeError(`more than ${MAX_SPANS} spans in one request`);
      const scope = toScope(group);
      for (let i = 0; i < spans.length; i++) out.push(toSpan(spans[i], resource, scope));
    }
  }
  return out;
}
