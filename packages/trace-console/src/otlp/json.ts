/**
 * OTLP/JSON → the same decoded ExportTraceServiceRequest the protobuf path produces.
 * OTLP/JSON is ProtoJSON (lowerCamelCase or proto field names, int64 as string or number,
 * enums as name or number, unknown fields ignored) except that trace and span ids are
 * hex, not base64; so ids are rewritten to base64 first and protobufjs' ProtoJSON reader
 * does the rest against the vendored definitions.
 */
import protojson from 'protobufjs/ext/protojson.js';
import { ExportTraceServiceRequest, type ExportTraceServiceRequestMessage } from './schema.ts';
import { OtlpDecodeError, asDecodeError } from './errors.ts';

type Json = Record<string, unknown>;

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The members under either spelling a ProtoJSON reader accepts. */
function list(o: Json, camel: string, snake = camel): unknown[] {
  const out: unknown[] = [];
  for (const key of camel === snake ? [camel] : [camel, snake]) if (Array.isArray(o[key])) out.push(...(o[key] as unknown[]));
  return out;
}

/** Rewrites a hex id field (either spelling) to the base64 ProtoJSON expects for bytes. */
function hexToBase64(o: Json, camel: string, snake: string): void {
  for (const key of [camel, snake]) {
    const value = o[key];
    if (typeof value !== 'string') continue;
    if (!HEX.test(value)) throw new OtlpDecodeError(`${key} must be hex, got ${JSON.stringify(value.slice(0, 40))}`);
    o[key] = Buffer.from(value, 'hex').toString('base64');
  }
}

function rewriteIds(request: unknown): void {
  if (!isObject(request)) return; // ProtoJSON reports the wrong shape
  for (const rs of list(request, 'resourceSpans', 'resource_spans')) {
    if (!isObject(rs)) continue;
    const groups = [...list(rs, 'scopeSpans', 'scope_spans'), ...list(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans')];
    for (const group of groups) {
      if (!isObject(group)) continue;
      for (const span of list(group, 'spans')) {
        if (!isObject(span)) continue;
        hexToBase64(span, 'traceId', 'trace_id');
        hexToBase64(span, 'spanId', 'span_id');
        hexToBase64(span, 'parentSpanId', 'parent_span_id');
        for (const link of list(span, 'links')) {
          if (!isObject(link)) continue;
          hexToBase64(link, 'traceId', 'trace_id');
          hexToBase64(link, 'spanId', 'span_id');
        }
      }
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses an OTLP/JSON ExportTraceServiceRequest body; throws OtlpDecodeError when malformed. */
export function decodeJsonRequest(body: Uint8Array): ExportTraceServiceRequestMessage {
  const text = asDecodeError('invalid UTF-8', () => utf8.decode(body));
  const parsed: unknown = asDecodeError('invalid JSON', () => JSON.parse(text));
  if (!isObject(parsed)) throw new OtlpDecodeError('OTLP/JSON body must be an object');
  rewriteIds(parsed);
  // Receivers must ignore unknown fields (OTLP spec), so newer senders still get through.
  return asDecodeError('invalid OTLP/JSON', () =>
    protojson.fromJson(ExportTraceServiceRequest, parsed, { ignoreUnknownFields: true })) as ExportTraceServiceRequestMessage;
}
