/**
 * The OTLP/gRPC door (default 127.0.0.1:4317): `TraceService/Export` of the vendored
 * opentelemetry-proto, served by @grpc/grpc-js (pure JavaScript). grpc-js handles HTTP/2,
 * `grpc-encoding: gzip` and the message-size limit (RESOURCE_EXHAUSTED); this module maps
 * one request onto the same export path as OTLP/HTTP, and its errors onto gRPC status codes
 * as the OTLP specification lists them (INVALID_ARGUMENT is not retried, UNAVAILABLE is).
 */
import * as grpc from '@grpc/grpc-js';
import type { HostPort } from '@tfa/service-kit/config';
import { AppError } from '@tfa/service-kit/errors';
import type { Ingest } from '../ingest/ingest.ts';
import { OtlpDecodeError } from './errors.ts';
import { encodeResponse, exportSpans } from './export.ts';
import { MAX_BODY_BYTES } from './limits.ts';
import { TraceService } from './schema.ts';

/** A running gRPC door. */
export interface GrpcDoor {
  /** `host:port` actually bound (port 0 resolved). */
  address: string;
  close(): Promise<void>;
}

/** Options of the gRPC door. */
export interface GrpcDoorOptions {
  /** Checks the `authorization` metadata (the console's bearer token); throws AppError when wrong. */
  checkAuth?: (authorization: string | undefined) => void;
}

// grpc-js would print its own lines on stderr (a failed bind, ...); the console reports them itself.
grpc.setLogVerbosity(grpc.logVerbosity.NONE);

const exportMethod = TraceService.methods.Export!;
// `/opentelemetry.proto.collector.trace.v1.TraceService/Export`, from the .proto itself.
const EXPORT_PATH = `/${TraceService.fullName.slice(1)}/${exportMethod.name}`;

/** The service definition with raw-bytes requests: decoding happens inside the handler, where its errors become INVALID_ARGUMENT. */
const definition: grpc.ServiceDefinition = {
  Export: {
    path: EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
};

function status(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details };
}

/** Binds the door at `at`; rejects with an error whose `code` is the errno (EADDRINUSE, ...) when it cannot. */
export async function startGrpcDoor(at: HostPort, ingest: Ingest, options: GrpcDoorOptions = {}): Promise<GrpcDoor> {
  const server = new grpc.Server({
    // The OTLP/HTTP limit (X-Ray's 5 MB) for the message after decompression too.
    'grpc.max_receive_message_length': MAX_BODY_BYTES,
    'grpc.max_send_message_length': 64 * 1024,
    // Idle clients are closed eventually; exporters reconnect.
    'grpc.max_connection_idle_ms': 5 * 60_000,
    // Calls in flight per connection, bounded.
    'grpc.max_concurrent_streams': 100,
  });
  server.addService(definition, {
    Export(call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) {
      try {
        const auth = call.metadata.get('authorization')[0];
        options.checkAuth?.(typeof auth === 'string' ? auth : undefined);
      } catch (err) {
        callback(status(grpc.status.UNAUTHENTICATED, err instanceof AppError ? err.detail : 'unauthenticated'));
        return;
      }
      try {
        // One sender per client address, as for OTLP/HTTP (the peer's port changes per connection).
        const peer = call.getPeer().replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
        const outcome = exportSpans(ingest, call.request, 'protobuf', `otlp-grpc ${peer}`);
        if (outcome.retry) callback(status(grpc.status.UNAVAILABLE, outcome.message));
        else callback(null, encodeResponse(outcome));
      } catch (err) {
        if (err instanceof OtlpDecodeError) callback(status(err.status === 413 ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.INVALID_ARGUMENT, err.message));
        else callback(status(grpc.status.INTERNAL, 'the console failed to take the spans; see its log'));
      }
    },
  });
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${at.port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (!err) return resolve(bound);
      // grpc-js folds the bind error into its message; keep the errno as `code`.
      const errno = /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(err.message)?.[1];
      reject(Object.assign(new Error(err.message), { code: errno }));
    }),
  );
  return {
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Finish calls in flight for a moment, then cut the rest.
        const timer = setTimeout(() => server.forceShutdown(), 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
