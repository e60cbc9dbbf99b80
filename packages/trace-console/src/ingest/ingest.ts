/**
 * The one ingest path: UDP datagrams, PutTraceSegments, OTLP and `import` all end here.
 * A document is checked, queued in the store, and watched for problems only time reveals;
 * a refusal is counted against its sender. Nothing here throws on bad input.
 */
import { spanToDocument, type TranslatorSpan } from '@tfa/otel-xray/wire/translate';
import { fitDocument } from '@tfa/otel-xray/wire/fit';
import { decodeAdotUdpPayload } from '../otlp/decode.ts';
import type { TraceStoreApi } from '../store/store.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { SettleWatch } from './settle.ts';
import { checkDocument, isProblem, type Problem } from './validate.ts';

/** The outcome for one document: accepted, or the problem (PutTraceSegments reports it back). */
export type IngestResult = { ok: true; id: string } | ({ ok: false; id?: string } & Problem);

const NEWLINE = 0x0a;

/** Routes raw input into the store. */
export class Ingest {
  readonly #store: TraceStoreApi;
  readonly #diagnostics: Diagnostics;
  readonly #settle: SettleWatch | undefined;

  constructor(store: TraceStoreApi, diagnostics: Diagnostics, settle?: SettleWatch) {
    this.#store = store;
    this.#diagnostics = diagnostics;
    this.#settle = settle;
  }

  /** One daemon datagram: header line, `\n`, then a segment document or an ADOT `T1S`/`T1U` frame (§2.1, §2.6). */
  datagram(bytes: Uint8Array, sender: string): void {
    this.#diagnostics.received(sender);
    const cut = bytes.indexOf(NEWLINE);
    if (cut < 0 || cut === bytes.length - 1) {
      this.#diagnostics.problem(sender, 'malformed', 'missing header or segment: no newline, or nothing after it', bytes);
      return;
    }
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, cut).toString('utf8'));
    } catch {
      header = undefined;
    }
    const h = header as { format?: unknown; version?: unknown } | undefined;
    if (!h || typeof h !== 'object' || typeof h.format !== 'string' || h.format.toLowerCase() !== 'json' || h.version !== 1) {
      this.#diagnostics.problem(sender, 'invalid_header', 'the first line is not {"format":"json","version":1}', bytes);
      return;
    }
    const body = Buffer.from(bytes.buffer, bytes.byteOffset + cut + 1, bytes.length - cut - 1).toString('utf8');
    if (body.startsWith('T1S') || body.startsWith('T1U')) this.#adot(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'), sender);
    else if (body.startsWith('M1')) this.#diagnostics.problem(sender, 'unsupported', 'an ADOT metrics frame (M1)', body);
    else this.document(body, sender, false);
  }

  /** One document's JSON text (`count`: whether it counts as received on its own, not as part of a datagram). */
  document(text: string, sender: string, count = true, rules: 'segments' | 'otlp' = 'segments'): IngestResult {
    if (count) this.#diagnostics.received(sender);
    const checked = checkDocument(text, Date.now(), rules);
    if (isProblem(checked)) {
      this.#diagnostics.problem(sender, checked.kind, checked.detail, text);
      return { ok: false, id: idOf(text), ...checked };
    }
    if (!this.#store.enqueue(checked.doc)) {
      this.#diagnostics.problem(sender, 'dropped', 'the store queue is full', text);
      return { ok: false, id: checked.doc.id, kind: 'dropped', detail: 'the store queue is full; retry later' };
    }
    // A segment's name is its service; an independent subsegment's is only the call's (a host, a table).
    this.#diagnostics.accepted(sender, 1, checked.parsed.type === 'subsegment' ? undefined : (checked.parsed.name as string));
    this.#settle?.watch(sender, checked.doc.traceId, checked.parsed, text);
    return { ok: true, id: checked.doc.id };
  }

  /** OTLP spans, translated by the services' own translator (one mapping, two uses). */
  spans(spans: readonly TranslatorSpan[], sender: string, count = true): { accepted: number; rejected: number; dropped: number } {
    let accepted = 0;
    let dropped = 0;
    for (const span of spans) {
      let json: string;
      try {
        json = fitDocument(spanToDocument(span)).json;
      } catch (err) {
        if (count) this.#diagnostics.received(sender);
        this.#diagnostics.problem(sender, 'malformed', `span ${span.spanId} could not be translated: ${(err as Error).message}`, span.name);
        continue;
      }
      const result = this.document(json, sender, count, 'otlp');
      if (result.ok) accepted++;
      else if (result.kind === 'dropped') dropped++;
    }
    return { accepted, rejected: spans.length - accepted - dropped, dropped };
  }

  /** An ADOT frame; `datagram` is the whole text (the decoder takes it with its header line). */
  #adot(datagram: string, sender: string): void {
    const body = datagram.slice(datagram.indexOf('\n') + 1);
    let decoded: ReturnType<typeof decodeAdotUdpPayload>;
    try {
      decoded = decodeAdotUdpPayload(datagram);
    } catch (err) {
      this.#diagnostics.problem(sender, 'malformed', `the ADOT frame does not decode: ${(err as Error).message}`, body);
      return;
    }
    if (decoded === undefined) {
      this.#diagnostics.problem(sender, 'unsupported', 'an ADOT frame with an unknown prefix', body);
      return;
    }
    // Unsampled spans (T1U, Application Signals) feed metrics in AWS; X-Ray shows no trace for them.
    // Recorded per trace id: a sampled caller's trace then shows where the decision changed.
    if (!decoded.sampled) {
      const seen = new Set<string>();
      for (const span of decoded.spans) {
        if (seen.has(span.traceId) || seen.size >= 16) continue;
        seen.add(span.traceId);
        const service = typeof span.resource['service.name'] === 'string' ? (span.resource['service.name'] as string) : undefined;
        this.#diagnostics.traceEvent(xrayTraceId(span.traceId), { kind: 'unsampled', sender, id: span.spanId, parent: span.parentSpanId || undefined, service, detail: `span "${span.name}" (parent ${span.parentSpanId || 'none'}) was sent as not sampled (ADOT T1U frame)` });
      }
      return;
    }
    this.spans(decoded.spans, sender, false);
  }
}

/** `1-<8 hex>-<24 hex>` from OpenTelemetry's 32-hex trace id. */
export function xrayTraceId(otelId: string): string {
  return /^[0-9a-f]{32}$/.test(otelId) ? `1-${otelId.slice(0, 8)}-${otelId.slice(8)}` : otelId;
}

/** The `id` of a document that failed a check, when one can be read. */
function idOf(text: string): string | undefined {
  const m = /"id"\s*:\s*"([^"]{1,64})"/.exec(text.slice(0, 4096));
  return m?.[1];
}
