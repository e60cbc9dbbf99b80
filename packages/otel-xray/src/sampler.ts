/**
 * Sampling for the two X-Ray header cases OTel's ParentBased sampler cannot express:
 * a caller that left the decision to us (`Sampled=?` or absent) and a Root without a
 * Parent that carried its own `Sampled`. Compose once in setup:
 *   `sampler: deferredDecisionSampler(rootSampler)`  // e.g. AlwaysOn, ratio, X-Ray rules
 * Everything else goes to `ParentBased({root: rootSampler})` (or `options.delegate`).
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision } from '@opentelemetry/sdk-trace';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace';
import { DEFERRED_TRACESTATE_KEY, isDeferredSampling } from './propagator.ts';
import { getPendingRoot } from './root-context.ts';

/** Options of deferredDecisionSampler. */
export interface DeferredDecisionOptions {
  /** Sampler for every span that is not a deferred case; default ParentBased({root: inner}). */
  delegate?: Sampler;
}

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

/**
 * Wraps `inner` so that a remote parent marked `xray=deferred` is sampled by `inner` as if
 * the span were a root (the trace id is kept), and the marker is removed from the new
 * span's tracestate so it does not travel further. A root span that adopted a Root-only
 * header's trace id follows that header's `Sampled` when it had one.
 */
export function deferredDecisionSampler(inner: Sampler, options: DeferredDecisionOptions = {}): Sampler {
  const delegate = options.delegate ?? new ParentBasedSampler({ root: inner });
  const description = `DeferredDecisionSampler{inner=${inner.toString()}, delegate=${delegate.toString()}}`;
  return {
    shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
      const parent = trace.getSpanContext(ctx);
      if (parent !== undefined && isSpanContextValid(parent)) {
        if (parent.isRemote === true && isDeferredSampling(parent)) {
          const result = inner.shouldSample(trace.deleteSpan(ctx), traceId, name, kind, attributes, links);
          const state = (result.traceState ?? parent.traceState)?.unset(DEFERRED_TRACESTATE_KEY);
          return { decision: result.decision, attributes: result.attributes, traceState: state };
        }
        return delegate.shouldSample(ctx, traceId, name, kind, attributes, links);
      }
      const pending = getPendingRoot(ctx);
      if (pending !== undefined && pending.traceId === traceId && pending.sampled !== undefined) {
        return pending.sampled ? SAMPLED : NOT_SAMPLED;
      }
      return delegate.shouldSample(ctx, traceId, name, kind, attributes, links);
    },
    toString(): string {
      return description;
    },
  };
}
