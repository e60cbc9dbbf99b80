/**
 * Adapter from the SDK's ReadableSpan to the translator's TranslatorSpan. Runs in the
 * exporter's drain, never on the request path.
 */
import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import type { TranslatorEvent, TranslatorLink, TranslatorSpan } from './wire/translate.ts';

/** HrTime `[seconds, nanoseconds]` → epoch seconds at microsecond precision. */
export function hrTimeToSeconds(time: HrTime): number {
  return time[0] + Math.round(time[1] / 1000) / 1e6;
}

const NO_EVENTS: readonly TranslatorEvent[] = [];
const NO_LINKS: readonly TranslatorLink[] = [];

function toEvent(event: TimedEvent): TranslatorEvent {
  return { name: event.name, time: hrTimeToSeconds(event.time), attributes: event.attributes };
}

/** A TranslatorSpan view of an ended (or, for completeness, running) SDK span. */
export function fromReadableSpan(span: ReadableSpan): TranslatorSpan {
  const ctx = span.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    startTime: hrTimeToSeconds(span.startTime),
    endTime: span.ended ? hrTimeToSeconds(span.endTime) : undefined,
    attributes: span.attributes,
    events: span.events.length === 0 ? NO_EVENTS : span.events.map(toEvent),
    status: span.status,
    links: span.links.length === 0
      ? NO_LINKS
      : span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: l.attributes })),
    resource: span.resource.attributes,
    scope: span.instrumentationScope,
  };
}
