/**
 * Server spans for Fastify: one span per request, kept lean (no span per hook
 * or handler). Only the route handler runs inside the span's context: every
 * promise made inside an AsyncLocalStorage scope costs more, and Fastify's
 * own lifecycle makes many (measured: the whole request in the scope halved
 * throughput). Responses carry `X-Amzn-Trace-Id: Root=...`; routes marked
 * `config.trace: false` (e.g. /health) are not traced.
 */
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@tfa/service-kit/errors';
import type { RequestInstrumentation } from '@tfa/service-kit/http';
import { logFields } from './annotate.ts';
import { serverSpanStarterFor, type SpanShape } from './presample.ts';
import { formatTraceHeader } from '@tfa/otel-xray/propagator';

// The span and its context ride on the request object itself: WeakMaps keyed by 20 000
// requests a second make every garbage collection walk their ephemerons.
const SPAN = Symbol('traceSpan');
const CONTEXT = Symbol('traceContext');
type Traced = FastifyRequest & { [SPAN]?: Span; [CONTEXT]?: Context };
const spanOf = (req: FastifyRequest): Span | undefined => (req as Traced)[SPAN];

/** The trace fields of a request's log lines, outside the handler's context too. */
export function traceFields(req: FastifyRequest): { trace_id: string; span_id: string } | undefined {
  const span = spanOf(req);
  return span ? logFields(span.spanContext()) : undefined;
}

const REQUEST_SPAN: SpanShape<FastifyRequest> = {
  name(req) {
    const route = req.routeOptions.url;
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
function requestAttributes(req: FastifyRequest): Attributes {
  const host = req.headers.host ?? '';
  const route = req.routeOptions.url;
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
  return { register: (app) => traceRequests(app, tracer), logFields: traceFields };
}

/** Adds the request-span hooks to an app. */
export function traceRequests(app: FastifyInstance<any, any, any, any, any>, tracer: Tracer): void {
  // Declared up front so every request object keeps one shape.
  app.decorateRequest(SPAN, undefined);
  app.decorateRequest(CONTEXT, undefined);
  const startSpan = serverSpanStarterFor(tracer);
  app.addHook('onRequest', (req, reply, done) => {
    if (req.routeOptions.config?.trace === false) return done();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    // The parent context is passed, not entered: an AsyncLocalStorage scope per request cost ~7 µs.
    // The name and attributes are built only when asked: a request the sampler drops makes none.
    const span = startSpan(req, parent, REQUEST_SPAN);
    const traced = req as Traced;
    traced[SPAN] = span;
    traced[CONTEXT] = trace.setSpan(parent, span);
    reply.header('x-amzn-trace-id', formatTraceHeader(span.spanContext()));
    done();
  });

  // Handlers (and what they call: store, upstream, archiver client, logs) see the span as active.
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function tracedHandler(this: unknown, req: FastifyRequest, reply: unknown) {
      const ctx = (req as Traced)[CONTEXT];
      return ctx ? context.with(ctx, handler as (...a: unknown[]) => unknown, this, req, reply) : (handler as (...a: unknown[]) => unknown).call(this, req, reply);
    } as typeof route.handler;
  });

  app.addHook('onError', (req, _reply, err, done) => {
    const span = spanOf(req);
    if (span && (!(err instanceof AppError) || err.status >= 500)) {
      // Only what the caller may see: our code and detail, never our stack.
      span.addEvent('exception', {
        'exception.type': err instanceof AppError ? err.code : err.name,
        'exception.message': err instanceof AppError ? err.detail : 'internal error',
      });
    }
    done();
  });

  app.addHook('onResponse', (req, reply, done) => {
    const span = spanOf(req);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });

  app.addHook('onRequestAbort', (req, done) => {
    const span = spanOf(req);
    if (span) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
      span.end();
    }
    done();
  });
}
