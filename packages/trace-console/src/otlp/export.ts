/**
 * One OTLP export request, the same for every door (OTLP/HTTP on the console's port and on
 * 4318, OTLP/gRPC on 4317): decode, ingest, and the ExportTraceServiceResponse to answer.
 * Spans the console refuses (bad ids, untranslatable) are OTLP's partial success: counted
 * in `rejected_spans`, not retried. Spans the store queue could not take make the whole
 * request retryable (503 / UNAVAILABLE): resending the accepted ones is harmless, the store
 * keeps the newest version of each segment id.
 */
import type { Ingest } from '../ingest/ingest.ts';
import { decodeOtlpTraces } from './decode.ts';
import { ExportTraceServiceResponse } from './schema.ts';

/** The result of one request: `rejected` spans (with why) or `retry` when the store is full. */
export type ExportOutcome = { retry: false; accepted: number; rejected: number; message: string } | { retry: true; message: string };

/** Decodes an uncompressed body and ingests its spans; throws OtlpDecodeError for bad input. */
export function exportSpans(ingest: Ingest, body: Uint8Array, format: 'protobuf' | 'json', sender: string): ExportOutcome {
  const spans = decodeOtlpTraces(body, format);
  const { accepted, rejected, dropped } = ingest.spans(spans, sender);
  if (dropped > 0) return { retry: true, message: `the trace store is busy: ${dropped} of ${spans.length} spans not queued; retry later` };
  const message = rejected === 0 ? '' : `${rejected} of ${spans.length} spans refused; GET /api/diagnostics shows why (sender "${sender}")`;
  return { retry: false, accepted, rejected, message };
}

/** ExportTraceServiceResponse for an accepted request: empty, or with `partial_success`. */
export function responseMessage(outcome: { rejected: number; message: string }): { partialSuccess?: { rejectedSpans: number; errorMessage: string } } {
  return outcome.rejected === 0 ? {} : { partialSuccess: { rejectedSpans: outcome.rejected, errorMessage: outcome.message } };
}

/** The response as protobuf bytes. */
export function encodeResponse(outcome: { rejected: number; message: string }): Buffer {
  return Buffer.from(ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(responseMessage(outcome))).finish());
}

/** The response as ProtoJSON (int64 as a decimal string, lowerCamelCase names). */
export function responseJson(outcome: { rejected: number; message: string }): Record<string, unknown> {
  return outcome.rejected === 0 ? {} : { partialSuccess: { rejectedSpans: String(outcome.rejected), errorMessage: outcome.message } };
}
