/**
 * ReadableSpan → daemon datagram text: translate, fit into the budget, prefix the header
 * line (XRAY-REFERENCE §2.1). Shared by the lean processor and the plain exporter.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { fitDocument, DEFAULT_BUDGET } from './wire/fit.ts';
import { fromReadableSpan } from './readable-span.ts';
import { spanToDocument } from './wire/translate.ts';
import type { TranslateOptions } from './wire/translate.ts';

/** The daemon header line, compact as the SDKs send it, with its separating newline (§2.1). */
export const DAEMON_HEADER = '{"format":"json","version":1}\n';

/** Options shared by everything that encodes spans for the daemon. */
export interface EncoderOptions {
  /** Attribute keys always written as annotations. */
  indexedAttributes?: readonly string[];
  /** UTF-8 byte budget per document. Default 64 000 (a datagram carries ≤ 65 477 JSON bytes, §2.3). */
  budgetBytes?: number;
}

/** Encodes spans into datagrams, counting trimmed documents and translation failures. */
export class DocumentEncoder {
  /** Documents that had to be trimmed. */
  trimmed = 0;
  /** Spans the translator could not handle (a bug, counted instead of thrown). */
  failed = 0;
  /** Message of the last failure, for diagnostics. */
  lastError: string | undefined;
  private readonly translateOptions: TranslateOptions;
  private readonly budget: number;

  constructor(options: EncoderOptions = {}) {
    this.translateOptions = { indexedAttributes: options.indexedAttributes };
    this.budget = options.budgetBytes ?? DEFAULT_BUDGET;
  }

  /** The datagram for one span, or undefined when translation failed. */
  encode(span: ReadableSpan): string | undefined {
    try {
      const { json, trimmed } = fitDocument(spanToDocument(fromReadableSpan(span), this.translateOptions), this.budget);
      if (trimmed.length > 0) this.trimmed++;
      return DAEMON_HEADER + json;
    } catch (error) {
      this.failed++;
      this.lastError = (error as Error).message;
      return undefined;
    }
  }
}
