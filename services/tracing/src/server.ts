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
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@tfa/service-kit/errors';
import type { RequestInstrumentation } from '@tfa/service-kit/http';
import { serverSpanStarterFor, type SpanShape } from './presample.ts';
import { toXRayTraceId } from '@tfa/otel-xray/ids';

// What tracing keeps of a request rides on the request object itself, in one slot: WeakMaps
// keyed by 20 000 requests a second make every garbage collection walk their ephemerons, and
// each slot Fastify declares on its Request is one more megamorphic store in the constructor.
const TRACE = Symbol('trace');
interface RequestTrace {
  span: Span;
  /** The context the span was started under (the caller's, or the root). */
  parent: Context;
  /** The span's trace id in X-Ray form, for the response header and the log line. */
  xrayTraceId: string;
}
type Traced = FastifyRequest & { [TRACE]?: RequestTrace };
const spanOf = (req: FastifyRequest): Span | undefined => (req as Traced)[TRACE]?.span;

// A socket's recorded spans not yet ended: a client that goes away before the answer ends
// them. One listener per connection, not one per request: adding and removing a 'close'
// listener on every request turned the request's events object into a dictionary (~2 000
// instructions per recorded request, callgrind).
const IN_FLIGHT = Symbol('tracedInFlight');
type TracedSocket = Socket & { [IN_FLIGHT]?: Span[] };

/** The trace fields of a request's log line as a JSON fragment, outside the handler's context too (ids are hex: nothing to escape). */
function traceFieldsJson(req: FastifyRequest): string {
  const t = (req as Traced)[TRACE];
  if (t === undefined) return '';
  return `,"trace_id":"${t.xrayTraceId}","span_id":"${t.span.spanContext().spanId}"`;
}

// Fastify keeps a reply's headers in an object under this symbol until it writes them.
let replyHeaders: symbol | null | undefined;

/**
 * Sets `x-amzn-trace-id` on a reply. Straight into Fastify's header object where it can be
 * found (what `reply.header` does for a lower-case name that is not set-cookie): one more
 * header name through `reply.header`'s shared store site turned it megamorphic for every
 * header of every request, and lower-cased a constant each time (~700 instructions a request,
 * callgrind). Falls back to `reply.header` on a Fastify that keeps them elsewhere.
 */
function setTraceHeader(reply: FastifyReply, value: string): void {
  if (replyHeaders === undefined) {
    const found = Object.getOwnPropertySymbols(reply).find((s) => s.description === 'fastify.reply.headers');
    const headers = found === undefined ? undefined : (reply as unknown as Record<symbol, unknown>)[found];
    replyHeaders = found !== undefined && typeof headers === 'object' && headers !== null ? found : null;
  }
  // Checked on each reply: another copy of Fastify in the process keeps its own symbol.
  const headers = replyHeaders === null ? undefined : (reply as unknown as Record<symbol, unknown>)[replyHeaders];
  if (typeof headers === 'object' && headers !== null) (headers as Record<string, unknown>)['x-amzn-trace-id'] = value;
  else reply.header('x-amzn-trace-id', value);
}

/** How a route's server spans are described; one per route, so the route need not ride on each request. */
function requestSpan(route: string | undefined): SpanShape<FastifyRequest> {
  return {
    name: (req) => (route ? `${req.method} ${route}` : req.method),
    // What X-Ray's sampling rules match on (the service comes from the resource).
    samplerAttributes(req) {
      const q = req.url.indexOf('?');
      return { 'http.request.method': req.method, 'server.address': serverAddress(req.headers.host ?? ''), 'url.path': q < 0 ? req.url : req.url.slice(0, q) };
    },
    attributes: (req) => requestAttributes(req, route),
  };
}

function serverAddress(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon > 0 && !host.endsWith(']') ? host.slice(0, colon) : host;
}

/** A recorded server span's attributes (HTTP semantic conventions). */
function requestAttributes(req: FastifyRequest, route: string | undefined): Attributes {
  const host = req.headers.host ?? '';
  const protocol = req.protocol;
  const attributes: Attributes = {
    'http.request.method': req.method,
    'url.full': `${protocol}://${host}${req.url}`,
    'url.scheme': protocol,
    'server.address': serverAddress(host),
    'user_agent.original': req.headers['user-agent'] ?? '',
  };
  // The socket's peer as well as the client: without it X-Ray translators (ours, the
  // collector's) take client.address for a forwarded one and mark x_forwarded_for.
  const peer = req.socket.remoteAddress;
  if (peer !== undefined) attributes['network.peer.address'] = peer;
  const client = req.ip;
  if (client !== undefined) attributes['client.address'] = client;
  if (route) attributes['http.route'] = route;
  return attributes;
}

/** The services' request tracing, in the shape the service kit's Fastify base takes. */
export function requestTracing(tracer: Tracer): RequestInstrumentation {
  const startSpan = serverSpanStarterFor(tracer);
  // The headers a propagator extracts a parent from (tracestate alone gives none).
  // Asked at the first request, when the global propagator is surely set.
  let fields: string[] | undefined;
  const hasTraceHeader = (headers: Record<string, unknown>): boolean => {
    fields ??= propagation.fields().filter((f) => f !== 'tracestate');
    for (let i = 0; i < fields.length; i++) if (headers[fields[i]!] !== undefined) return true;
    return false;
  };

  /** Ends a recorded span once, from onResponse or when its client went away first. */
  const finish = (span: Span, status: number | undefined): void => {
    if (!span.isRecording()) return;
    if (status === undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
    else {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };

  /** Watches a recorded span until it ends: if its connection closes first, the span ends as aborted. */
  const watch = (socket: TracedSocket | null, span: Span): void => {
    // A connection already gone will not close again, and its request will not be answered.
    if (socket === null || socket.destroyed) return finish(span, undefined);
    let spans = socket[IN_FLIGHT];
    if (spans === undefined) {
      const list: Span[] = (spans = socket[IN_FLIGHT] = []);
      socket.once('close', () => {
        for (let i = 0; i < list.length; i++) finish(list[i]!, undefined);
        list.length = 0;
      });
    }
    spans.push(span);
  };
  const unwatch = (socket: TracedSocket | null, span: Span): void => {
    const spans = socket?.[IN_FLIGHT];
    if (spans === undefined) return;
    // One request at a time on a connection, but for pipelining; order does not matter, and
    // splice would allocate the array of what it removed.
    const i = spans.indexOf(span);
    if (i < 0) return;
    const last = spans.pop()!;
    if (i < spans.length) spans[i] = last;
  };

  return {
    register(app: FastifyInstance<any, any, any, any, any>) {
      // Declared up front so every request object keeps one shape.
      app.decorateRequest(TRACE, undefined);
      // Handlers (and what they call: store, upstream, archiver client, logs) see the span as active.
      app.addHook('onRoute', (route) => {
        const handler = route.handler as (...a: unknown[]) => unknown;
        route.handler = function tracedHandler(this: unknown, req: FastifyRequest, reply: unknown) {
          const t = (req as Traced)[TRACE];
          return t ? context.with(trace.setSpan(t.parent, t.span), handler, this, req, reply) : handler.call(this, req, reply);
        } as typeof route.handler;
      });
    },

    starter(route: string | undefined) {
      const shape = requestSpan(route);
      return (req: FastifyRequest, reply: FastifyReply) => {
        const traced = req as Traced;
        if (traced[TRACE] !== undefined) return;
        // The parent context is passed, not entered: an AsyncLocalStorage scope per request cost ~7 µs.
        const parent = hasTraceHeader(req.headers) ? propagation.extract(ROOT_CONTEXT, req.headers) : ROOT_CONTEXT;
        // The name and attributes are built only when asked: a request the sampler drops makes none.
        const span = startSpan(req, parent, shape);
        const sc = span.spanContext();
        const xrayTraceId = toXRayTraceId(sc.traceId);
        traced[TRACE] = { span, parent, xrayTraceId };
        setTraceHeader(reply, (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? `Root=${xrayTraceId};Sampled=1` : `Root=${xrayTraceId};Sampled=0`);
        if (span.isRecording()) watch(req.raw.socket, span);
      };
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
      if (span === undefined || !span.isRecording()) return;
      unwatch(req.raw.socket, span);
      finish(span, reply.statusCode);
    },

    logFields: traceFieldsJson,
  };
}
