/**
 * The OTLP trace message types, loaded once from the vendored official
 * opentelemetry-proto definitions (./proto, see its README) with protobufjs' reflection.
 * Both the protobuf and the JSON path decode into these types, so one adapter serves both.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));
const SERVICE = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // The .proto files import each other by their path under the proto root, not relative
  // to the importing file; protobufjs' default resolver would look next to the importer.
  root.resolvePath = (_origin, target) => PROTO_DIR + target;
  root.loadSync(SERVICE, { keepCase: false });
  root.resolveAll();
  return root;
}

const root = loadRoot();

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`. */
export const ExportTraceServiceRequest: protobuf.Type = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

/** A 64-bit integer as protobufjs hands it out: a `long` Long, or a number when Long is absent. */
export type Int64 = number | { low: number; high: number; unsigned: boolean; toString(radix?: number): string };

/** `opentelemetry.proto.common.v1.AnyValue` as decoded (a oneof: at most one member is own). */
export interface AnyValueMessage {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64;
  doubleValue?: number;
  arrayValue?: { values?: AnyValueMessage[] };
  kvlistValue?: { values?: KeyValueMessage[] };
  bytesValue?: Uint8Array;
}

/** `opentelemetry.proto.common.v1.KeyValue` as decoded. */
export interface KeyValueMessage {
  key?: string;
  value?: AnyValueMessage | null;
}

/**
 * `opentelemetry.proto.trace.v1.Span` as decoded (camelCase field names). Fields are
 * optional: binary decoding fills proto3 defaults, the ProtoJSON reader leaves them out.
 */
export interface SpanMessage {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: KeyValueMessage[];
  events?: { timeUnixNano?: Int64; name?: string; attributes?: KeyValueMessage[] }[];
  links?: { traceId?: Uint8Array; spanId?: Uint8Array; attributes?: KeyValueMessage[] }[];
  status?: { code?: number; message?: string } | null;
}

/** Spans of one instrumentation scope (`ScopeSpans`, or the deprecated `InstrumentationLibrarySpans`). */
export interface ScopeSpansMessage {
  scope?: { name?: string; version?: string } | null;
  instrumentationLibrary?: { name?: string; version?: string } | null;
  spans?: SpanMessage[];
}

/** `opentelemetry.proto.trace.v1.ResourceSpans` as decoded. */
export interface ResourceSpansMessage {
  resource?: { attributes?: KeyValueMessage[] } | null;
  scopeSpans?: ScopeSpansMessage[];
  instrumentationLibrarySpans?: ScopeSpansMessage[];
}

/** The decoded request. */
export interface ExportTraceServiceRequestMessage {
  resourceSpans?: ResourceSpansMessage[];
}

/** `opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse` (carries `partial_success`). */
export const ExportTraceServiceResponse: protobuf.Type = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');

/** `opentelemetry.proto.collector.trace.v1.TraceService`, the gRPC service of OTLP/gRPC. */
export const TraceService: protobuf.Service = root.lookupService('opentelemetry.proto.collector.trace.v1.TraceService');
