/**
 * The lean path from ended spans to daemon datagrams. `onEnd` runs inside the request
 * that ended the span, so it only queues a reference (SpanQueue); translation, fitting
 * and sending happen in `setImmediate` slices of at most `sliceSize` spans, between
 * requests, so no request ever pays for a whole batch.
 */
import type { Context } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { SpanQueue } from '../span-queue.ts';
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
  private readonly queue: SpanQueue;
  private shutDown = false;
  private queueDrops = 0;
  private readonly encoder: DocumentEncoder;
  private readonly transport: UdpTransport;
  private readonly reporter: DropReporter;

  constructor(options: XRayDaemonProcessorOptions) {
    this.queue = new SpanQueue({ capacity: options.maxQueueSize ?? 4096, sliceSize: options.sliceSize ?? 64, onSlice: (spans) => this.send(spans) });
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
    if (!this.queue.push(span)) {
      this.queueDrops++;
      this.reporter.note('queue');
    }
  }

  /** Sends everything queued and waits for the sends to complete. */
  async forceFlush(): Promise<void> {
    this.queue.drainAll();
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

  private send(spans: readonly ReadableSpan[]): void {
    for (const span of spans) {
      const datagram = this.encoder.encode(span);
      if (datagram !== undefined) this.transport.send(datagram);
      else this.reporter.note('encode', this.encoder.lastError);
    }
  }
}
