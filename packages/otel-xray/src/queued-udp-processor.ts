/**
 * What both daemon-port processors share: a bounded SpanQueue drained in `setImmediate`
 * slices (a slice that is not full lingers up to 50 ms for more spans, see span-queue.ts), one unref'd UdpTransport, and rate-limited drop reports. Subclasses turn a slice
 * into datagrams (segment documents, or ADOT T1S frames).
 */
import type { Context } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { SpanQueue } from './span-queue.ts';
import { DropReporter, type DropSummary } from './drop-reporter.ts';
import { UdpTransport, type Endpoint, type Resolver } from './udp-transport.ts';

/** Ended spans wait up to this long for company: one datagram (T1S) or one burst (segments) carries them. */
export const DEFAULT_LINGER_MS = 50;

/** Options every daemon-port processor takes. */
export interface QueuedUdpProcessorOptions {
  /** Where the daemon listens (the `udp` half of parseDaemonAddress). */
  endpoint: Endpoint;
  /** Ended spans waiting for the drain; more are dropped and counted. Default 4096. */
  maxQueueSize?: number;
  /** Spans handled per event-loop turn. Default 64. */
  sliceSize?: number;
  /** How long fewer than `sliceSize` ended spans wait for more before they are sent (ms). Default 50; 0 sends them the next turn. */
  lingerMs?: number;
  /** Receives drop counts at most once a minute (the services log it). */
  onDrop?: (summary: DropSummary) => void;
  /** Minimum interval between onDrop calls (ms). Default 60 000. */
  dropReportIntervalMs?: number;
  /** Test seam: name resolution for the daemon host. */
  resolver?: Resolver;
}

/** Queue, transport and drop reports; `send` is the subclass's. */
export abstract class QueuedUdpSpanProcessor implements SpanProcessor {
  protected readonly queue: SpanQueue;
  protected readonly transport: UdpTransport;
  protected readonly reporter: DropReporter;
  protected queueDrops = 0;
  private shutDown = false;

  constructor(options: QueuedUdpProcessorOptions) {
    this.queue = new SpanQueue({
      capacity: options.maxQueueSize ?? 4096, sliceSize: options.sliceSize ?? 64,
      lingerMs: options.lingerMs ?? DEFAULT_LINGER_MS,
      onSlice: (spans) => this.send(spans),
    });
    this.reporter = new DropReporter(options.onDrop, options.dropReportIntervalMs ?? 60_000);
    this.transport = new UdpTransport(options.endpoint, {
      resolver: options.resolver,
      onError: (kind, error) => this.reporter.note(kind, error.message),
    });
  }

  /** Nothing to do at start: documents are written once, when the span ends. */
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

  /** Turns one slice into datagrams; must not throw. The array is reused: copy what you keep. */
  protected abstract send(spans: readonly ReadableSpan[]): void;
}
