/**
 * The lean path from ended spans to daemon datagrams. `onEnd` runs inside the request
 * that ended the span, so it only queues a reference (SpanQueue); translation, fitting
 * and sending happen in `setImmediate` slices of at most `sliceSize` spans, between
 * requests, so no request ever pays for a whole batch. A slice that is not full lingers up
 * to `lingerMs` (50) for more, so documents leave in bursts the daemon reads while awake.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { DocumentEncoder } from './encode.ts';
import type { EncoderOptions } from './encode.ts';
import { QueuedUdpSpanProcessor, type QueuedUdpProcessorOptions } from './queued-udp-processor.ts';

export type { DropSummary } from './drop-reporter.ts';

/** Options of XRayDaemonSpanProcessor. */
export interface XRayDaemonProcessorOptions extends EncoderOptions, QueuedUdpProcessorOptions {}

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

/** SpanProcessor sending each sampled span as one X-Ray document to the daemon over UDP. */
export class XRayDaemonSpanProcessor extends QueuedUdpSpanProcessor {
  private readonly encoder: DocumentEncoder;

  constructor(options: XRayDaemonProcessorOptions) {
    super(options);
    this.encoder = new DocumentEncoder(options);
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
    for (const span of spans) {
      const datagram = this.encoder.encode(span);
      if (datagram !== undefined) this.transport.send(datagram);
      else this.reporter.note('encode', this.encoder.lastError);
    }
  }
}
