/**
 * ADOT's OTLP-over-UDP framing to the daemon port (XRAY-REFERENCE §2.6): the daemon header
 * line, `T1S`, then a base64 OTLP ExportTraceServiceRequest holding many spans. One
 * `sendto` carries a whole slice of spans instead of one segment document each, which is
 * most of what the classic protocol costs a busy service (the floor row of
 * bench/tracing-cost.ts). Receivers that accept it: trace-console, and the X-Ray daemon
 * inside AWS Lambda (what ADOT's `@aws/aws-distro-opentelemetry-exporter-xray-udp` targets).
 * The standalone X-Ray daemon and the CloudWatch agent take segment documents only: use
 * XRayDaemonSpanProcessor (OTEL_EXPORTER_XRAY_PROTOCOL=segment, the default) for them.
 *
 * Spans are serialized in `setImmediate` slices once 64 have ended or the oldest has waited
 * `lingerMs` (50; SpanQueue), so a datagram carries many even at a low sampling rate; a slice
 * whose datagram would pass the budget is split in halves until it fits, and a single
 * span that cannot fit is dropped and counted (never silently).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { DAEMON_HEADER } from './encode.ts';
import { encodeTraceRequestBase64 } from './otlp-encode.ts';
import { DEFAULT_BUDGET } from './wire/fit.ts';
import type { ProcessorCounters } from './processor.ts';
import { QueuedUdpSpanProcessor, type QueuedUdpProcessorOptions } from './queued-udp-processor.ts';

/** ADOT's prefix for sampled spans. */
export const SAMPLED_TRACES_PREFIX = 'T1S';

/** Options of XRayOtlpUdpSpanProcessor (`sliceSize`: spans per datagram at most). */
export interface XRayOtlpUdpProcessorOptions extends QueuedUdpProcessorOptions {
  /** Datagram bytes at most, header included. Default 64 000 (§2.3). */
  budgetBytes?: number;
}

/** SpanProcessor sending sampled spans as ADOT T1S datagrams, many per datagram. */
export class XRayOtlpUdpSpanProcessor extends QueuedUdpSpanProcessor {
  private readonly budget: number;
  private encodeDrops = 0;
  /** Spans sent (the transport counts datagrams). */
  spansSent = 0;

  constructor(options: XRayOtlpUdpProcessorOptions) {
    super(options);
    this.budget = options.budgetBytes ?? DEFAULT_BUDGET;
  }

  /** Totals since start: `sent` counts datagrams; `dropped` spans lost before the transport plus datagrams (of many spans) lost in it. */
  get counters(): ProcessorCounters {
    const t = this.transport.counters;
    return { sent: t.sent, dropped: this.queueDrops + this.encodeDrops + t.dropped + t.refused + t.sendErrors, trimmed: 0, sendErrors: t.refused + t.sendErrors + t.dnsErrors };
  }

  protected send(spans: readonly ReadableSpan[]): void {
    // A drain scheduled before a flush emptied the queue finds nothing: send no empty frame.
    if (spans.length > 0) this.sendRange(spans.slice());
  }

  private sendRange(spans: ReadableSpan[]): void {
    let datagram: string;
    try {
      datagram = DAEMON_HEADER + SAMPLED_TRACES_PREFIX + encodeTraceRequestBase64(spans);
    } catch (error) {
      this.encodeDrops += spans.length;
      this.reporter.note('encode', (error as Error).message, spans.length);
      return;
    }
    // Base64 and the header are ASCII: length is the byte count.
    if (datagram.length > this.budget) {
      if (spans.length === 1) {
        this.encodeDrops++;
        this.reporter.note('encode', `a span of ${datagram.length} bytes does not fit a ${this.budget}-byte datagram`);
        return;
      }
      const half = spans.length >> 1;
      this.sendRange(spans.slice(0, half));
      this.sendRange(spans.slice(half));
      return;
    }
    this.spansSent += spans.length;
    this.transport.send(datagram);
  }
}
