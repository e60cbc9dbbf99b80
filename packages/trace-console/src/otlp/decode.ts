/**
 * The console's two OTLP trace inputs, OTLP/HTTP bodies and ADOT's OTLP-over-UDP frames
 * (XRAY-REFERENCE §2.6), decoded with the official OpenTelemetry proto definitions into
 * the TranslatorSpans that `spanToDocument` turns into X-Ray documents.
 */
import type { TranslatorSpan } from '@tfa/otel-xray/wire/translate';
import { ExportTraceServiceRequest, type ExportTraceServiceRequestMessage } from './schema.ts';
import { OtlpDecodeError, asDecodeError } from './errors.ts';
import { decodeJsonRequest } from './json.ts';
import { checkBodySize, MAX_BODY_BYTES } from './limits.ts';
import { requestToSpans } from './spans.ts';

export { OtlpDecodeError } from './errors.ts';
export { inflateOtlpBody, MAX_BODY_BYTES } from './limits.ts';
export { MAX_SPANS } from './spans.ts';

/** Prefix of an ADOT frame carrying sampled spans. */
export const ADOT_SAMPLED_PREFIX = 'T1S';
/** Prefix of an ADOT frame carrying unsampled spans (Application Signals). */
export const ADOT_UNSAMPLED_PREFIX = 'T1U';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeProtobufRequest(body: Uint8Array): ExportTraceServiceRequestMessage {
  // protobufjs bounds message nesting (100) and checks every length against the buffer,
  // so truncated input and huge declared lengths fail fast with a RangeError.
  return asDecodeError('invalid OTLP protobuf', () => ExportTraceServiceRequest.decode(body)) as ExportTraceServiceRequestMessage;
}

/**
 * Decodes an uncompressed OTLP ExportTraceServiceRequest body (`application/x-protobuf`
 * or `application/json`); throws OtlpDecodeError when it is malformed or over the limits.
 */
export function decodeOtlpTraces(body: Uint8Array, format: 'protobuf' | 'json'): TranslatorSpan[] {
  checkBodySize(body.length);
  const request = format === 'json' ? decodeJsonRequest(body) : decodeProtobufRequest(body);
  return requestToSpans(request);
}

/**
 * Decodes one ADOT OTLP-over-UDP datagram: the header line, then `T1S`/`T1U` and the
 * base64 of a protobuf ExportTraceServiceRequest. Returns undefined when the text after
 * the header line is no trace frame (a raw X-Ray segment, or `M1` metrics); the header
 * itself is the caller's to validate, as it is for every daemon datagram. Throws
 * OtlpDecodeError for a trace frame that is malformed.
 */
export function decodeAdotUdpPayload(text: string): { sampled: boolean; spans: TranslatorSpan[] } | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  const prefix = text.slice(newline + 1, newline + 4);
  if (prefix !== ADOT_SAMPLED_PREFIX && prefix !== ADOT_UNSAMPLED_PREFIX) return undefined;
  const encoded = text.slice(newline + 4).trimEnd();
  if (encoded.length > Math.ceil(MAX_BODY_BYTES / 3) * 4) checkBodySize(Math.floor(encoded.length / 4) * 3);
  // Buffer.from(…, 'base64') skips bad characters silently; a damaged frame must not decode.
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) throw new OtlpDecodeError(`${prefix} frame is not valid base64`);
  const spans = decodeOtlpTraces(Buffer.from(encoded, 'base64'), 'protobuf');
  return { sampled: prefix === ADOT_SAMPLED_PREFIX, spans };
}
