/**
 * The lean path from ended spans to daemon datagrams. `onEnd` runs inside the request
 * that ended the span, so it only queues a reference (SpanQueue); translation, fitting
 * and sending happen in `setImmediate` slices of at most `sliceSize` spans, between
 * requests, so no request ever pays for a whole batch. A slice that is not full lingers up
 * to `lingerMs` (50) for more, so documents leave in bursts the daemon reads while awake.
 * Spans whose parent is in the same slice travel inside its document (nest.ts), as the
 * X-Ray SDKs send a segment with its subsegments: a request is one datagram, not one per
 * span. A tree too big for a datagram falls back to one document per span, each trimmed
 * to fit as before.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { DocumentEncoder } from './encode.ts';
import type { EncoderOptions } from './encode.ts';
import { nestInSlice } from './nest.ts';
import { QueuedUdpSpanProcessor, type QueuedUdpProcessorOptions } from './queued-udp-processor.ts';

export type { DropSummary } from './drop-reporter.ts';

/** Options of XRayDaemonSpanProcessor. */
export interface XRayDaemonProcessorOptions extends EncoderOptions, QueuedUdpProcessorOptions {
  /**
   * Send a span inside its parent's document when both end in the same slice (as the X-Ray
   * SDKs send a segment with its subsegments): one datagram per request instead of one per
   * span. Default true; false sends every span as its own document.
   */
  nestSubsegments?: boolean;
}

/** Counters for tests and diagnostics. */
export interface ProcessorCounters {
  /** Datagrams accepted by the kernel. */
  sent: number;
  /** Spans lost: queue full, unresolvable daemon, or a send that failed. */
  dropped: number;
  /** Documents that had to be trimmed to fit a datagram. */
  trimmed: number;
  /** Failed sends (including ICMP port unreachable) and DNS failures. */
  sendErrors: number;
}

/** SpanProcessor sending sampled spans as X-Ray documents to the daemon over UDP, a span's local children nested in its document when they end in the same slice. */
export class XRayDaemonSpanProcessor extends QueuedUdpSpanProcessor {
  private readonly encoder: DocumentEncoder;
  private readonly nest: boolean;

  constructor(options: XRayDaemonProcessorOptions) {
    super(options);
    this.encoder = new DocumentEncoder(options);
    this.nest = options.nestSubsegments ?? true;
  }

  /** Totals since start. */
  get counters(): ProcessorCounters {
    const t = this.transport.counters;
    return {
      sent: t.sent,
      dropped: this.queueDrops + this.encoder.failed + t.dropped + t.refused + t.sendErrors,
      trimmed: this.encoder.trimmed,
      sendErrors: t.refused + t.sendErrors + t.dnsErrors,
    };
  }

  protected send(spans: readonly ReadableSpan[]): void {
    const forest = this.nest ? nestInSlice(spans) : undefined;
    if (forest === undefined) {
      for (let i = 0; i < spans.length; i++) this.sendOne(spans[i]!);
      return;
    }
    const { roots, children } = forest;
    for (let r = 0; r < roots.length; r++) {
      const root = roots[r]!;
      if (children[root] === undefined) {
        this.sendOne(spans[root]!);
        continue;
      }
      const datagram = this.encoder.encodeTree(spans, root, children);
      if (datagram !== undefined) this.transport.send(datagram);
      else this.sendTree(spans, root, children);
    }
  }

  /** A tree too big for one datagram (or with a span that fails): each span on its own. */
  private sendTree(spans: readonly ReadableSpan[], i: number, children: ReadonlyArray<readonly number[] | undefined>): void {
    this.sendOne(spans[i]!);
    const kids = children[i];
    if (kids !== undefined) for (let k = 0; k < kids.length; k++) this.sendTree(spans, kids[k]!, children);
  }

  private sendOne(span: ReadableSpan): void {
    const datagram = this.encoder.encode(span);
    if (datagram !== undefined) this.transport.send(datagram);
    else this.reporter.note('encode', this.encoder.lastError);
  }
}
