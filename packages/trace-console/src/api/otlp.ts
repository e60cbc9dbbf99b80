/**
 * `POST /v1/traces`: OTLP/HTTP traces (protobuf or JSON, optionally gzip), decoded by
 * src/console/otlp and translated by the services' own span → document mapping. The answer
 * is OTLP's ExportTraceServiceResponse (see ../otlp/export.ts), protobuf or JSON as sent.
 */
import { appError, AppError } from '@tfa/service-kit/errors';
import type { App } from '@tfa/service-kit/http';
import { inflateOtlpBody, MAX_BODY_BYTES, OtlpDecodeError } from '../otlp/decode.ts';
import { encodeResponse, exportSpans, responseJson, type ExportOutcome } from '../otlp/export.ts';
import type { Ingest } from '../ingest/ingest.ts';
import { XRayError } from '../xray/params.ts';
import type { SignedRequest } from '../otlp/sigv4-verify.ts';

/** Checks a request's SigV4 signature; throws an XRayError to refuse it. */
export type SigV4Check = (req: SignedRequest) => Promise<void>;

/** Registers the OTLP receiver in its own scope (it reads bodies as bytes, unlike the JSON APIs). */
export function registerOtlp(app: App, ingest: Ingest, verifySigV4?: SigV4Check): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Compressed bodies are limited here, inflated ones by inflateOtlpBody.
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));
    scope.post('/v1/traces', { schema: { summary: 'OTLP/HTTP traces (protobuf or JSON, gzip allowed)' } }, async (req, reply) => {
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const format = type === 'application/json' ? 'json' : type === 'application/x-protobuf' || type === 'application/protobuf' ? 'protobuf' : undefined;
      if (format === undefined) throw appError('unsupported_media_type', 'send OTLP as application/x-protobuf or application/json');
      const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
      if (verifySigV4) {
        try {
          // The signature covers the bytes as sent (gzip included), so it is checked before inflating.
          await verifySigV4({ method: req.method, url: req.url, headers: req.headers, body });
        } catch (err) {
          if (!(err instanceof XRayError)) throw err;
          // X-Ray's own refusal: status, x-amzn-ErrorType and {__type, message}.
          return reply.code(err.status).header('x-amzn-errortype', err.type).header('x-amzn-requestid', req.id).type('application/json').send({ __type: err.type, message: err.message });
        }
      }
      let outcome: ExportOutcome;
      try {
        const encoding = req.headers['content-encoding'];
        outcome = exportSpans(ingest, inflateOtlpBody(body, Array.isArray(encoding) ? encoding.join(',') : encoding), format, `otlp ${req.ip}`);
      } catch (err) {
        if (err instanceof OtlpDecodeError) {
          const status = (err as { status?: number }).status === 413 ? 413 : 400;
          throw new AppError(status === 413 ? 'body_too_large' : 'bad_request', status, err.message);
        }
        throw err;
      }
      // OTLP/HTTP: 503 with Retry-After is one of the retryable answers.
      if (outcome.retry) throw new AppError('unavailable', 503, outcome.message, { headers: { 'retry-after': '1' } });
      if (format === 'json') return reply.type('application/json').send(responseJson(outcome));
      return reply.type('application/x-protobuf').send(encodeResponse(outcome));
    });
  });
}
