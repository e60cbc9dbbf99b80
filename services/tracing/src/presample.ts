/**
 * Server spans decided before the SDK is asked. A request the sampler drops should cost
 * next to nothing: the SDK's `startSpan` sanitises the attributes, counts the span in its
 * own metrics and validates ids before it even looks at the decision, and the server hook
 * used to build the full attribute object (URL string included) for every request. Here the
 * sampler runs first, on only what it reads (X-Ray rules match method, host, path and
 * service; ratio and fixed samplers read nothing), and a dropped request gets a bare
 * non-recording span carrying its ids, so the response header, the log lines and the
 * downstream `Sampled=0` stay as before. A sampled request is started by the SDK as usual,
 * with the same decision handed to it (the SDK's sampler is wrapped to return it, so rules'
 * reservoirs and counts see each request once) and the same trace id; or, where the SDK
 * allows it (direct-span.ts), the SDK's span is made directly with the decision and ids.
 */
import { INVALID_SPAN_CONTEXT, isSpanContextValid, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Attributes, type Context, type Link, type Span, type SpanContext, type Tracer } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { newXRayCompatibleTraceId, type XRayIdGenerator } from '@tfa/otel-xray/ids';
import { getPendingRoot } from '@tfa/otel-xray/root-context';
import type { DirectSpanFactory } from './direct-span.ts';

/** How a server span is described from its request, each part asked only when needed. */
export interface SpanShape<T> {
  name(input: T): string;
  /** What the sampler reads; asked only of samplers that read attributes. */
  samplerAttributes(input: T): Attributes;
  /** The span's attributes; asked only when the span records. */
  attributes(input: T): Attributes;
}

/** Starts a server span for `input` (a request) under `parent`. */
export type ServerSpanStarter = <T>(input: T, parent: Context, shape: SpanShape<T>) => Span;

const NO_ATTRIBUTES: Attributes = Object.freeze({});
const NO_LINKS: Link[] = [];

// The decision made for the span being started now; startSpan is synchronous, so one slot serves.
let decided: { traceId: string; result: SamplingResult } | undefined;

/** The provider's sampler: returns a decision already made by the starter, else asks `inner`. */
export function presampledSampler(inner: Sampler): Sampler {
  return {
    shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
      const d = decided;
      if (d !== undefined && d.traceId === traceId) {
        decided = undefined;
        return d.result;
      }
      return inner.shouldSample(ctx, traceId, name, kind, attributes, links);
    },
    toString: () => inner.toString(),
  };
}

/**
 * A starter for `tracer`'s server spans. `sampler` is the composed sampler the provider
 * wraps with presampledSampler; `ids` the provider's id generator; `readsAttributes` false
 * for samplers that decide on the trace id and parent alone; `direct` makes recorded spans
 * without the tracer (undefined: the tracer makes them).
 */
export function serverSpanStarter(tracer: Tracer, sampler: Sampler, ids: XRayIdGenerator, readsAttributes: boolean, direct?: DirectSpanFactory): ServerSpanStarter {
  return (input, parent, shape) => {
    let parentSc: SpanContext | undefined;
    let hasParent = false;
    let traceId: string;
    // A request without trace headers starts from the root context, which holds nothing to look up.
    if (parent === ROOT_CONTEXT) traceId = newXRayCompatibleTraceId();
    else {
      if (isTracingSuppressed(parent)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      parentSc = trace.getSpanContext(parent);
      hasParent = parentSc !== undefined && isSpanContextValid(parentSc);
      if (hasParent) traceId = parentSc!.traceId;
      else {
        // A Root-only X-Amzn-Trace-Id (the first hop behind a load balancer) lends its Root.
        const pending = getPendingRoot(parent);
        if (pending !== undefined && !pending.taken) {
          pending.taken = true;
          traceId = pending.traceId;
        } else traceId = newXRayCompatibleTraceId();
      }
    }
    const result = readsAttributes
      ? sampler.shouldSample(parent, traceId, shape.name(input), SpanKind.SERVER, shape.samplerAttributes(input), NO_LINKS)
      : sampler.shouldSample(parent, traceId, '', SpanKind.SERVER, NO_ATTRIBUTES, NO_LINKS);
    if (result.decision === SamplingDecision.NOT_RECORD) {
      return trace.wrapSpanContext({
        traceId,
        spanId: ids.generateSpanId(),
        traceFlags: TraceFlags.NONE,
        traceState: result.traceState ?? parentSc?.traceState,
      });
    }
    if (direct !== undefined) {
      const attributes = shape.attributes(input);
      // As in the SDK: what the sampler adds wins over the span's own.
      if (result.attributes !== undefined) Object.assign(attributes, result.attributes);
      const traceFlags = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
      const traceState = result.traceState ?? (hasParent ? parentSc!.traceState : undefined);
      const spanContext = { traceId, spanId: ids.generateSpanId(), traceFlags, traceState };
      return direct(shape.name(input), SpanKind.SERVER, parent, spanContext, hasParent ? parentSc : undefined, attributes);
    }
    decided = { traceId, result };
    if (!hasParent) ids.nextTraceId = traceId;
    try {
      return tracer.startSpan(shape.name(input), { kind: SpanKind.SERVER, attributes: shape.attributes(input) }, parent);
    } finally {
      decided = undefined;
      ids.nextTraceId = undefined;
    }
  };
}

const starters = new WeakMap<Tracer, ServerSpanStarter>();

/** Registers the fast starter of a tracer made by setupTracing. */
export function registerServerSpanStarter(tracer: Tracer, starter: ServerSpanStarter): void {
  starters.set(tracer, starter);
}

/** The tracer's fast starter, or one that builds everything and asks the SDK (any other tracer). */
export function serverSpanStarterFor(tracer: Tracer): ServerSpanStarter {
  return (
    starters.get(tracer) ??
    ((input, parent, shape) => tracer.startSpan(shape.name(input), { kind: SpanKind.SERVER, attributes: shape.attributes(input) }, parent))
  );
}
