/**
 * Server spans for Fastify: one span per request, kept lean (no span per hook or handler).
 * The tracing adds no Fastify hook of its own on the request path: the service kit's base
 * calls `start` from the route's first onRequest hook (and from the 404 handler), `error`
 * from its error handler and `end` from its onResponse hook, so a request pays for no
 * extra hook runs, and a request the sampler drops pays for its ids, one non-recording
 * span and the response header only (see presample.ts). Only the route handler runs inside
 * the span's context: every promise made inside an AsyncLocalStorage scope costs more, and
 * Fastify's own lifecycle makes many. Responses carry `X-Amzn-Trace-Id: Root=...`; routes
 * marked `config.trace: false` (e.g. /health) are not traced.
 */
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@tfa/service-kit/errors';
import type { RequestInstrumentation } from '@tfa/service-kit/http';
import { serverSpanStarterFor, type SpanShape } from './presample.ts';
import { formatTraceHeader } from '@tfa/otel-xray/propagator';
import { toXRayTraceId } from '@tfa/otel-xray/ids';

// The span, its parent context and the route ride on the request object itself: WeakMaps
// keyed by 20 000 requests a second make every garbage collection walk their ephemerons.
const SPAN = Symbol('traceSpan');
const PARENT = Symbol('traceParent');
const ROUTE = Symbol('traceRoute');
type Traced = FastifyRequest & { [SPAN]?: Span; [PARENT]?: Context; [ROUTE]?: string };
const spanOf = (req: FastifyRequest): Span | undefined => (req as Traced)[SPAN];

/** The trace fields of a request's log line as a JSON fragment, outside the handler's context too (ids are hex: nothing to escape). */
function traceFieldsJson(req: FastifyRequest): string {
  const span = spanOf(req);
  if (span === undefined) return '';
  const sc = span.spanContext();
  return `,"trace_id":"${toXRayTraceId(sc.traceId)}","span_id":"${sc.spanId}"`;
}

const REQUEST_SPAN: SpanShape<Traced> = {
  name(req) {
    const route = req[ROUTE];
    return route ? `${req.method} ${route}` : req.method;
  },
  // What X-Ray's sampling rules match on (the service comes from the resource).
  samplerAttributes(req) {
    const q = req.url.indexOf('?');
    return { 'http.request.method': req.method, 'server.address': serverAddress(req.headers.host ?? ''), 'url.path': q < 0 ? req.url : req.url.slice(0, q) };
  },
  attributes: requestAttributes,
};

function serverAddress(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > 0 && !host.endsWith(']') ? host.slice(0, colon) : host;
}

/** A recorded server span's attributes (HTTP semantic conventions). */
function requestAttributes(req: Traced): Attributes {
  const host = req.headers.host ?? '';
  const route = req[ROUTE];
  return {
    'http.request.method': req.method,
    'url.full': `${req.protocol}://${host}${req.url}`,
    'url.scheme': req.protocol,
    'server.address': serverAddress(host),
    'client.address': req.ip,
    'user_agent.original': req.headers['user-agent'] ?? '',
    ...(route ? { 'http.route': route } : {}),
  };
}

/** The services' request tracing, in the shape the service kit's Fastify base takes. */
export function requestTracing(tracer: Tracer): RequestInstrumentation {
  const startSpan = serverSpanStarterFor(tracer);
  // The headers the propagators read: a request with none of them has no parent to extract.
  // Asked at the first request, when the global propagator is surely set.
  let fields: string[] | undefined;
  const hasTraceHeader = (headers: Record<string, unknown>): boolean => {
    fields ??= propagation.fields();
    for (let i = 0; i < fields.length; i++) if (headers[fields[i]!] !== undefined) return true;
    return false;
  };

  /** Ends a recorded span once, from onResponse or from an aborted request's close. */
  const finish = (span: Span, status: number | undefined): void => {
    if (!span.isRecording()) return;
    if (status === undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
    else {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };

  return {
    register(app: FastifyInstance<any, any, any, any, any>) {
      // Declared up front so every request object keeps one shape.
      app.decorateRequest(SPAN, undefined);
      app.decorateRequest(PARENT, undefined);
      app.decorateRequest(ROUTE, undefined);
      // Handlers (and what they call: store, upstream, archiver client, logs) see the span as active.
      app.addHook('onRoute', (route) => {
        const handler = route.handler as (...a: unknown[]) => unknown;
        route.handler = function tracedHandler(this: unknown, req: FastifyRequest, reply: unknown) {
          const traced = req as Traced;
          const span = traced[SPAN];
          return span ? context.with(trace.setSpan(traced[PARENT] ?? ROOT_CONTEXT, span), handler, this, req, reply) : handler.call(this, req, reply);
        } as typeof route.handler;
      });
    },

    start(req: FastifyRequest, reply: FastifyReply, route: string | undefined) {
      const traced = req as Traced;
      if (traced[SPAN] !== undefined) return;
      // The parent context is passed, not entered: an AsyncLocalStorage scope per request cost ~7 µs.
      const parent = hasTraceHeader(req.headers) ? propagation.extract(ROOT_CONTEXT, req.headers) : ROOT_CONTEXT;
      traced[ROUTE] = route;
      // The name and attributes are built only when asked: a request the sampler drops makes none.
      const span = startSpan(traced, parent, REQUEST_SPAN);
      traced[SPAN] = span;
      traced[PARENT] = parent;
      reply.header('x-amzn-trace-id', formatTraceHeader(span.spanContext()));
      // A recorded span of a request whose client goes away before the answer still ends.
      if (span.isRecording()) {
        const raw = req.raw;
        raw.once('close', () => {
          if (raw.aborted) finish(span, undefined);
        });
      }
    },

    error(req: FastifyRequest, err: unknown) {
      const span = spanOf(req);
      if (span === undefined || !span.isRecording()) return;
      if (err instanceof AppError && err.status < 500) return;
      // Only what the caller may see: our code and detail, never our stack.
      span.addEvent('exception', {
        'exception.type': err instanceof AppError ? err.code : ((err as Error)?.name ?? 'Error'),
        'exception.message': err instanceof AppError ? err.detail : 'internal error',
      });
    },

    end(req: FastifyRequest, reply: FastifyReply) {
      const span = spanOf(req);
      if (span !== undefined) finish(span, reply.statusCode);
    },

    logFields: traceFieldsJson,
  };
}
