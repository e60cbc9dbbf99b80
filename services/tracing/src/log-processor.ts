/**
 * OTEL_TRACES_EXPORTER=console: each sampled span, as the X-Ray document the xray exporter
 * would send, written as a JSON log line (`"msg":"span"`, the document under `segment`).
 * Going through the service's logger keeps stdout one JSON object per line, in order with
 * the request logs, instead of the SDK console exporter's multi-line dumps between them.
 */
import { TraceFlags, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { fromReadableSpan } from '@tfa/otel-xray/readable-span';
import { spanToDocument } from '@tfa/otel-xray/wire/translate';

/** Logs every sampled span as its X-Ray document; meant for looking, not for load. */
export class LogSpanProcessor implements SpanProcessor {
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    try {
      this.logger.info({ segment: spanToDocument(fromReadableSpan(span)) }, 'span');
    } catch (err) {
      this.logger.warn({ err, span: span.name }, 'span could not be translated');
    }
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
