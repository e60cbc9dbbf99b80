/**
 * The hand-off for an `X-Amzn-Trace-Id` that carries a `Root` but no `Parent` (the first
 * hop behind an ALB or API Gateway). OTel has no way to express "a trace id without a
 * parent span": a remote span context needs a span id, and inventing one would leave
 * every backend with a dangling `parent_id`. So the propagator stores the Root here, the
 * id generator hands it to the next root span started while that context is active, and
 * the sampler honours the header's `Sampled` value for exactly that span.
 */
import { context, createContextKey } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';

/** A Root taken from a header without a Parent, waiting for the root span that adopts it. */
export interface PendingXRayRoot {
  /** OTel form (32 hex) of the header's Root. */
  readonly traceId: string;
  /** The header's Sampled flag: true for 1, false for 0, undefined for `?` or absent. */
  readonly sampled: boolean | undefined;
  /** Set once a root span adopted the id, so later `root: true` spans start fresh traces. */
  taken: boolean;
}

const PENDING_ROOT_KEY = createContextKey('aws-xray pending root trace id');

/** Returns `ctx` carrying a Root that the next root span started in it should reuse. */
export function setPendingRoot(ctx: Context, traceId: string, sampled: boolean | undefined): Context {
  const pending: PendingXRayRoot = { traceId, sampled, taken: false };
  return ctx.setValue(PENDING_ROOT_KEY, pending);
}

/** The pending Root stored in `ctx`, if any (taken or not). */
export function getPendingRoot(ctx: Context): PendingXRayRoot | undefined {
  return ctx.getValue(PENDING_ROOT_KEY) as PendingXRayRoot | undefined;
}

/**
 * Claims the active context's pending Root for a new root span. The id generator only
 * sees the active context (the SDK passes it nothing), so this works when the server span
 * is started inside `context.with(extracted, ...)`, as OTel's HTTP instrumentation does.
 */
export function takePendingRoot(): string | undefined {
  const pending = context.active().getValue(PENDING_ROOT_KEY) as PendingXRayRoot | undefined;
  if (pending === undefined || pending.taken) return undefined;
  pending.taken = true;
  return pending.traceId;
}
