/**
 * A plain SpanExporter over the same encoder and transport, for setups that want the
 * SDK's BatchSpanProcessor (its batching, timers and limits) in front. Note that a batch
 * is then translated in one go; XRayDaemonSpanProcessor slices the work instead.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { DocumentEncoder } from './encode.ts';
import type { EncoderOptions } from './encode.ts';
import { UdpTransport } from './udp-transport.ts';
import type { Endpoint, Resolver, TransportErrorKind } from './udp-transport.ts';

/** Options of XRayUdpSpanExporter. */
export interface XRayUdpExporterOptions extends EncoderOptions {
  /** Where the daemon listens for segments. */
  endpoint: Endpoint;
  /** Called for every transport failure (not rate-limited here). */
  onError?: (kind: TransportErrorKind, error: Error) => void;
  /** Test seam: name resolution for the daemon host. */
  resolver?: Resolver;
}

/** Translates, fits and sends each span as one datagram. */
export class XRayUdpSpanExporter implements SpanExporter {
  private readonly encoder: DocumentEncoder;
  private readonly transport: UdpTransport;
  private shutDown = false;

  constructor(options: XRayUdpExporterOptions) {
    this.encoder = new DocumentEncoder(options);
    this.transport = new UdpTransport(options.endpoint, { resolver: options.resolver, onError: options.onError });
  }

  /** Sends the spans; reports success once they are handed to the socket (UDP has no ack). */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutDown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    for (const span of spans) {
      const datagram = this.encoder.encode(span);
      if (datagram !== undefined) this.transport.send(datagram);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  /** Waits for datagrams in flight. */
  forceFlush(): Promise<void> {
    return this.transport.flush();
  }

  /** Flushes and closes the socket. */
  async shutdown(): Promise<void> {
    if (this.shutDown) return;
    this.shutDown = true;
    await this.transport.flush();
    await this.transport.close();
  }
}
