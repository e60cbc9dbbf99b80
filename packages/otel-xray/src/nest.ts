/**
 * Which spans of one slice can travel inside another's document. The X-Ray SDKs send a
 * segment with its subsegments nested, one datagram per request; one document per span
 * costs a `sendto` (and a wake-up of the daemon) for every span. A span is nested when its
 * parent is in the same slice: the same trace, a local parent (not a remote caller), and a
 * span that is itself a subsegment (a SERVER span is always its own segment, §4.1). Spans
 * of a request that straddle two slices go as independent subsegments, as before.
 */
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

/** A slice's spans as trees: `roots` in slice order, `children[i]` the nested spans of span i. */
export interface SliceForest {
  roots: number[];
  children: Array<number[] | undefined>;
}

/** The slice's trees, or undefined when no span has its parent in the slice. */
export function nestInSlice(spans: readonly ReadableSpan[]): SliceForest | undefined {
  if (spans.length < 2) return undefined;
  // A busy service's slices often hold only segments (one span a request): no map for them.
  let candidates = false;
  for (let i = 0; i < spans.length && !candidates; i++) candidates = isChildKind(spans[i]!);
  if (!candidates) return undefined;
  const byId = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) byId.set(spans[i]!.spanContext().spanId, i);
  let children: Array<number[] | undefined> | undefined;
  let parentOf: Int32Array | undefined;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    if (!isChildKind(span)) continue;
    const j = byId.get(span.parentSpanContext!.spanId);
    if (j === undefined || j === i || spans[j]!.spanContext().traceId !== span.spanContext().traceId) continue;
    if (children === undefined) {
      children = new Array<number[] | undefined>(spans.length);
      parentOf = new Int32Array(spans.length).fill(-1);
    }
    (children[j] ??= []).push(i);
    parentOf![i] = j;
  }
  if (children === undefined) return undefined;
  // Roots are the spans without a parent here. Ids repeated in a slice could make a cycle,
  // whose spans no root reaches: those are sent on their own, so nothing is lost.
  const roots: number[] = [];
  for (let i = 0; i < spans.length; i++) if (parentOf![i] === -1) roots.push(i);
  const reached = new Uint8Array(spans.length);
  const stack = roots.slice();
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (reached[i] === 1) continue;
    reached[i] = 1;
    const kids = children[i];
    if (kids !== undefined) for (let k = 0; k < kids.length; k++) stack.push(kids[k]!);
  }
  for (let i = 0; i < spans.length; i++) {
    if (reached[i] === 0) {
      // Cut the cycle: this span becomes a root without children.
      children[i] = undefined;
      roots.push(i);
      reached[i] = 1;
    }
  }
  return { roots, children };
}

/** A span that could sit inside a parent's document: a local parent, and not a SERVER span. */
function isChildKind(span: ReadableSpan): boolean {
  const parent = span.parentSpanContext;
  return parent !== undefined && parent.isRemote !== true && span.kind !== SpanKind.SERVER;
}
