/**
 * `X-Amzn-Trace-Id` propagation (XRAY-REFERENCE §1.3). Differs from OTel's
 * AWSXRayPropagator in two ways, both so that no caller's trace is thrown away:
 * - `Sampled=?` or no `Sampled` with a valid Root and Parent still yields the remote
 *   context, with traceFlags NONE and the tracestate marker `xray=deferred`, so a sampler
 *   wrapped by `deferredDecisionSampler` (sampler.ts) decides as if for a root span.
 * - A Root without a Parent (ALB, first hop) is kept as a pending Root that the next root
 *   span adopts (root-context.ts) instead of being discarded.
 * Like OTel's, it never forwards Self, Lineage or custom fields.
 */
import { createTraceState, isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, SpanContext, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { fromXRayTraceId, toXRayTraceId } from './ids.ts';
import { setPendingRoot } from './root-context.ts';

/** The header name in the lowercase form Node gives incoming headers. */
export const XRAY_TRACE_HEADER = 'x-amzn-trace-id';
const CANONICAL_HEADER = 'X-Amzn-Trace-Id';

/** Tracestate key and value marking a remote parent whose caller left sampling to us. */
export const DEFERRED_TRACESTATE_KEY = 'xray';
/** See DEFERRED_TRACESTATE_KEY; valid W3C tracestate syntax (`xray=deferred`). */
export const DEFERRED_TRACESTATE_VALUE = 'deferred';

// TraceState is immutable, so one shared instance serves every deferred extract.
const DEFERRED_STATE = createTraceState(DEFERRED_TRACESTATE_KEY + '=' + DEFERRED_TRACESTATE_VALUE);

const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_SPAN_ID = '0000000000000000';

/** The parts of an `X-Amzn-Trace-Id` value this propagator understands. */
export interface ParsedTraceHeader {
  /** OTel form of a strictly valid Root, else undefined. */
  traceId: string | undefined;
  /** A valid non-zero 16-hex Parent, else undefined. */
  parentId: string | undefined;
  /** true for `Sampled=1`, false for `0`, undefined for `?`, absent or anything else. */
  sampled: boolean | undefined;
}

/** Parses a header value: split on `;`, trim, split at the first `=`, keys case-insensitive. */
export function parseTraceHeader(value: string): ParsedTraceHeader {
  const parsed: ParsedTraceHeader = { traceId: undefined, parentId: undefined, sampled: undefined };
  let seenRoot = false;
  let seenParent = false;
  let seenSampled = false;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const val = part.slice(eq + 1).trim();
    // First occurrence wins, so an appended forged field cannot override the real one.
    if (key === 'root' && !seenRoot) {
      seenRoot = true;
      parsed.traceId = fromXRayTraceId(val);
    } else if (key === 'parent' && !seenParent) {
      seenParent = true;
      parsed.parentId = SPAN_ID.test(val) && val !== ZERO_SPAN_ID ? val : undefined;
    } else if (key === 'sampled' && !seenSampled) {
      seenSampled = true;
      parsed.sampled = val === '1' ? true : val === '0' ? false : undefined;
    }
  }
  return parsed;
}

/** `Root=1-…;Sampled=0|1`: the value every service answers with (DESIGN "X-Ray specifics"). */
export function formatTraceHeader(spanContext: SpanContext): string {
  const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '1' : '0';
  return 'Root=' + toXRayTraceId(spanContext.traceId) + ';Sampled=' + sampled;
}

/** True when a span context carries the deferred-sampling marker set by extract. */
export function isDeferredSampling(spanContext: SpanContext): boolean {
  return spanContext.traceState?.get(DEFERRED_TRACESTATE_KEY) === DEFERRED_TRACESTATE_VALUE;
}

function readHeader(carrier: unknown, getter: TextMapGetter): string | undefined {
  // Node lowercases incoming header names; the canonical spelling covers plain objects.
  // Two lookups instead of a scan of every key keeps the miss case cheap.
  let raw = getter.get(carrier, XRAY_TRACE_HEADER);
  if (raw === undefined) raw = getter.get(carrier, CANONICAL_HEADER);
  if (Array.isArray(raw)) raw = raw[0];
  return typeof raw === 'string' && raw.length > 0 ? raw : undefined;
}

/** TextMapPropagator for `X-Amzn-Trace-Id` (see the module comment for its two extensions). */
export class AWSXRayPropagator implements TextMapPropagator {
  /** Writes `Root=1-…;Parent=<spanId>;Sampled=0|1` for a valid span context in `ctx`. */
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
    const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '1' : '0';
    setter.set(
      carrier,
      XRAY_TRACE_HEADER,
      'Root=' + toXRayTraceId(spanContext.traceId) + ';Parent=' + spanContext.spanId + ';Sampled=' + sampled,
    );
  }

  /** Reads the header into a remote span context, a deferred one, or a pending Root. */
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const value = readHeader(carrier, getter);
    if (value === undefined) return ctx;
    const { traceId, parentId, sampled } = parseTraceHeader(value);
    if (traceId === undefined) return ctx;
    if (parentId === undefined) {
      // A valid traceparent extracted earlier names a real parent span: keep it.
      const existing = trace.getSpanContext(ctx);
      if (existing !== undefined && isSpanContextValid(existing)) return ctx;
      return setPendingRoot(ctx, traceId, sampled);
    }
    const spanContext: SpanContext = {
      traceId,
      spanId: parentId,
      isRemote: true,
      traceFlags: sampled === true ? TraceFlags.SAMPLED : TraceFlags.NONE,
    };
    if (sampled === undefined) spanContext.traceState = DEFERRED_STATE;
    return trace.setSpanContext(ctx, spanContext);
  }

  /** The one header this propagator reads and writes. */
  fields(): string[] {
    return [XRAY_TRACE_HEADER];
  }
}
