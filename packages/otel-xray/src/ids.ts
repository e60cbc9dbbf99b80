/**
 * The OTel IdGenerator for X-Ray; the ids themselves (X-Ray layout, pooled randomness kept
 * in hex, conversions) are the wire part's (wire/ids.ts).
 */
import type { IdGenerator } from '@opentelemetry/sdk-trace';
import { newXRayCompatibleTraceId, randomSpanId } from './wire/ids.ts';
import { takePendingRoot } from './root-context.ts';

export { fromXRayTraceId, isValidXRayTraceId, newXRayCompatibleTraceId, randomHex, randomSpanId, toXRayTraceId } from './wire/ids.ts';

/**
 * OTel IdGenerator for X-Ray. A root span started while a Root-only `X-Amzn-Trace-Id`
 * context is active reuses that Root (see root-context.ts); everything else is fresh.
 */
export class XRayIdGenerator implements IdGenerator {
  /** A trace id already chosen (and sampled on) for the span being started now; see presample.ts. */
  nextTraceId: string | undefined;

  /** Returns a 32-hex trace id whose first 8 hex are the epoch seconds. */
  generateTraceId(): string {
    const next = this.nextTraceId;
    if (next !== undefined) {
      this.nextTraceId = undefined;
      return next;
    }
    return takePendingRoot() ?? newXRayCompatibleTraceId();
  }

  /** Returns a random non-zero 16-hex span id. */
  generateSpanId(): string {
    return randomSpanId();
  }
}
