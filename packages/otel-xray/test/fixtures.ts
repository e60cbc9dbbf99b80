/**
 * Partial-fixture builders for translator tests (the Zipkin exporter's habit): each case
 * states only what differs from a plain, ended, unremarkable span.
 */
import type { TranslatorSpan } from '../src/wire/translate.ts';

/** A fixed trace id whose epoch part is 2024-01-01T00:00:00Z. */
export const TRACE_ID = '65920080' + 'a006649127e371903a2de979';
/** The same trace id in X-Ray form. */
export const XRAY_TRACE_ID = '1-65920080-a006649127e371903a2de979';
export const SPAN_ID = '53995c3f42cd8ad8';
export const PARENT_ID = '1111222233334444';
export const START = 1704067200.123456;
export const END = 1704067200.654321;

/** The resource our services run with. */
export const RESOURCE = Object.freeze({
  'service.name': 'fetcher',
  'service.version': '0.1.0',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '3.1.1',
  'host.arch': 'x64',
});

/** SpanKind numbers, spelled out for readable tables. */
export const Kind = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;

/** A plain ended INTERNAL root span with `overrides` applied. */
export function span(overrides: Partial<TranslatorSpan> = {}): TranslatorSpan {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'work',
    kind: Kind.INTERNAL,
    startTime: START,
    endTime: END,
    attributes: {},
    events: [],
    status: { code: 0 },
    links: [],
    resource: RESOURCE,
    ...overrides,
  };
}

/** A child span (independent subsegment) of kind `kind`. */
export function child(kind: number, overrides: Partial<TranslatorSpan> = {}): TranslatorSpan {
  return span({ kind, parentSpanId: PARENT_ID, ...overrides });
}

/** A V8 stack trace with `frames` frames. */
export function v8Stack(message: string, frames: number): string {
  const lines = [`Error: ${message}`];
  for (let i = 0; i < frames; i++) lines.push(`    at fn${i} (/app/src/file${i}.ts:${i + 1}:7)`);
  return lines.join('\n');
}

/** Counts ids handed out by a deterministic id source. */
export function sequentialIds(): () => string {
  let n = 0;
  return () => (++n).toString(16).padStart(16, '0');
}
