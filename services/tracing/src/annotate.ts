/**
 * X-Ray annotations on the active span, through the OpenTelemetry API only:
 * the attribute is set and its key listed in `aws.xray.annotations`, the
 * collector's convention that our translator also follows.
 */
import { trace, type Span, type SpanContext } from '@opentelemetry/api';
import { toXRayTraceId } from '@tfa/otel-xray/ids';

const keys = new WeakMap<Span, string[]>();

/** Annotates the active span (a no-op when nothing is traced). Keys use [A-Za-z0-9_] (X-Ray's filter rule). */
export function annotate(key: string, value: string | number | boolean): void {
  const span = trace.getActiveSpan();
  if (!span || !span.isRecording()) return;
  span.setAttribute(key, value);
  let list = keys.get(span);
  if (!list) keys.set(span, (list = []));
  if (!list.includes(key)) {
    list.push(key);
    span.setAttribute('aws.xray.annotations', list.slice());
  }
}

/** The active span's trace id in X-Ray form, or null when there is none. */
export function currentXRayTraceId(): string | null {
  const sc = trace.getActiveSpan()?.spanContext();
  if (!sc || sc.traceId === '00000000000000000000000000000000') return null;
  return toXRayTraceId(sc.traceId);
}

/** The `trace_id` (X-Ray form) and `span_id` fields of a log line. */
export function logFields(sc: SpanContext): { trace_id: string; span_id: string } {
  return { trace_id: toXRayTraceId(sc.traceId), span_id: sc.spanId };
}
