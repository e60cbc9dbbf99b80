/**
 * ReadableSpan → daemon datagram text: translate, fit into the budget, prefix the header
 * line (XRAY-REFERENCE §2.1). Shared by the lean processor and the plain exporter.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { fitDocument, DEFAULT_BUDGET } from './wire/fit.ts';
import { fromReadableSpan } from './readable-span.ts';
import { spanToDocument } from './wire/translate.ts';
import type { TranslateOptions } from './wire/translate.ts';
import type { EmbeddedSubsegment, Subsegment } from './wire/types.ts';

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

  /**
   * One datagram for `spans[root]` with its descendants nested (`children` from
   * nestInSlice), or undefined when that document would not fit the budget or a span
   * failed to translate: the caller then sends each span on its own with `encode`, which
   * trims and counts as usual.
   */
  encodeTree(spans: readonly ReadableSpan[], root: number, children: ReadonlyArray<readonly number[] | undefined>): string | undefined {
    try {
      const doc = spanToDocument(fromReadableSpan(spans[root]!), this.translateOptions);
      const kids = children[root];
      if (kids !== undefined) doc.subsegments = this.embedded(spans, kids, children);
      const json = JSON.stringify(doc);
      if (json.length * 3 <= this.budget || Buffer.byteLength(json, 'utf8') <= this.budget) return DAEMON_HEADER + json;
      return undefined;
    } catch {
      return undefined;
    }
  }

  private embedded(spans: readonly ReadableSpan[], list: readonly number[], children: ReadonlyArray<readonly number[] | undefined>): EmbeddedSubsegment[] {
    const out: EmbeddedSubsegment[] = [];
    for (let k = 0; k < list.length; k++) {
      const i = list[k]!;
      // Inside its parent a subsegment carries neither its trace, its type nor its parent (§3.2).
      const { type: _type, trace_id: _trace, parent_id: _parent, ...sub } = spanToDocument(fromReadableSpan(spans[i]!), this.translateOptions) as Subsegment;
      const kids = children[i];
      if (kids !== undefined) sub.subsegments = this.embedded(spans, kids, children);
      out.push(sub);
    }
    return out;
  }
}
