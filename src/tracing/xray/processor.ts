/**
 * The lean path from ended spans to daemon datagrams. `onEnd` runs inside the request
 * that ended the span, so it only pushes a reference into a bounded ring; translation,
 * fitting and sending happen in `setImmediate` slices of at most `sliceSize` spans,
 * between requests, so no request ever pays for a whole batch.
 */
import type { Context } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { DropReporter } from './drop-reporter.ts';
import type { DropSummary } from './drop-reporter.ts';
import { DocumentEncoder } from './encode.ts';
import type { EncoderOptions } from './encode.ts';
import { UdpTransport } from './udp-transport.ts';
import type { Endpoint, Resolver } from './udp-transport.ts';

export type { DropSummary } from './drop-reporter.ts';

/** Options of XRayDaemonSpanProcessor. */
export interface XRayDaemonProcessorOptions extends EncoderOptions {
  /** Where the daemon listens for segments (the `udp` half of parseDaemonAddress). */
  endpoint: Endpoint;
  /** Ended spans waiting for the drain; more are dropped and counted. Default 4096. */
  maxQueueSize?: number;
  /** Spans translated and sent per event-loop turn. Default 64. */
  sliceSize?: number;
  /** Receives drop counts at most once a minute (the services log it). */
  onDrop?: (summary: DropSummary) => void;
  /** Minimum interval between onDrop calls (ms). Default 60 000. */
  dropReportIntervalMs?: number;
  /** Test seam: name resolution for the daemon host. */
  resolver?: Resolver;
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

/** SpanProcessor sending each sampled span as one X-Ray document to the daemon over UDP. */
export class XRayDaemonSpanProcessor implements SpanProcessor {
  private readonly ring: Array<ReadableSpan | undefined>;
  private head = 0;
  private size = 0;
  private readonly sliceSize: number;
  private scheduled = false;
  private shutDown = false;
  private queueDrops = 0;
  private readonly encoder: DocumentEncoder;
  private readonly transport: UdpTransport;
  private readonly reporter: DropReporter;
  private readonly drainBound = (): void => this.drain();

  constructor(options: XRayDaemonProcessorOptions) {
    this.ring = new Array(options.maxQueueSize ?? 4096).fill(undefined);
    this.sliceSize = options.sliceSize ?? 64;
    this.encoder = new DocumentEncoder(options);
    this.reporter = new DropReporter(options.onDrop, options.dropReportIntervalMs ?? 60_000);
    this.transport = new UdpTransport(options.endpoint, {
      resolver: options.resolver,
      onError: (kind, error) => this.reporter.note(kind, error.message),
    });
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

  /** Nothing to do at start: X-Ray documents are written once, when the span ends. */
  onStart(_span: Span, _parentContext: Context): void {}

  /** Queues a sampled span; O(1), never throws. */
  onEnd(span: ReadableSpan): void {
    if (this.shutDown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    const capacity = this.ring.length;
    if (this.size === capacity) {
      this.queueDrops++;
      this.reporter.note('queue');
      return;
    }
    this.ring[(this.head + this.size) % capacity] = span;
    this.size++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drainBound);
    }
  }

  /** Sends everything queued and waits for the sends to complete. */
  async forceFlush(): Promise<void> {
    while (this.size > 0) this.drainSlice(this.size);
    await this.transport.flush();
  }

  /** Flushes, then closes the socket; later spans are ignored. */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    await this.forceFlush();
    this.shutDown = true;
    this.reporter.close();
    await this.transport.close();
  }

  private drain(): void {
    this.scheduled = false;
    this.drainSlice(this.sliceSize);
    if (this.size > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drainBound);
    }
  }

  private drainSlice(limit: number): void {
    const capacity = this.ring.length;
    for (let n = 0; n < limit && this.size > 0; n++) {
      const span = this.ring[this.head]!;
      this.ring[this.head] = undefined; // let the span be collected
      this.head = (this.head + 1) % capacity;
      this.size--;
      const datagram = this.encoder.encode(span);
      if (datagram !== undefined) this.transport.send(datagram);
      else this.reporter.note('encode', this.encoder.lastError);
    }
  }
}
