/**
 * The Fastify base both services share: request ids, one request log line,
 * the contract's error shape for every failure (including ones Fastify and
 * Node raise before a route runs), and the OpenAPI document with its docs page.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import { AppError, type ErrorBody } from './errors.ts';
import { logRequest } from './logging.ts';
import { bodyUnread, defaultLinger, lingerAfterAnswer, type LingerLimits } from './linger.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No request log line (health checks, docs assets). */
    quiet?: boolean;
    /** No server span (health checks, docs). */
    trace?: boolean;
  }
}

/** A Fastify instance typed by TypeBox schemas. */
export type App = FastifyInstance<any, any, any, Logger, TypeBoxTypeProvider>;

/**
 * What a tracing layer adds to the base (the services' is @tfa/service-tracing's
 * `requestTracing`). The base calls it from its own hooks, so tracing adds no hook run to a
 * request: a route's starter first thing in every traced route's onRequest (and in the 404
 * handler), `error` from the error handler, `end` from onResponse, before the request's log line. The
 * kit knows only this shape, so it imports no tracing code.
 */
export interface RequestInstrumentation {
  /** Adds what the layer needs at registration (decorators, handler wrappers); called before the base's own. */
  register(app: FastifyInstance<any, any, any, any, any>): void;
  /** What starts the span of a request to `route` (the route's URL pattern; undefined for a 404); asked once per route. */
  starter(route: string | undefined): (req: FastifyRequest, reply: FastifyReply) => void;
  /** Records what a route or Fastify threw. */
  error(req: FastifyRequest, err: unknown): void;
  /** Ends the request's span when its response is done. */
  end(req: FastifyRequest, reply: FastifyReply): void;
  /** More fields for the request's log line (trace and span id) as a JSON fragment (`,"trace_id":"…"`), '' for none. */
  logFields(req: FastifyRequest): string;
}

type Quietable = FastifyRequest & { [QUIET]?: boolean };

/** Options of the shared base. */
export interface HttpAppOptions {
  logger: Logger;
  /** OpenAPI info. */
  title: string;
  description: string;
  version: string;
  /** Largest JSON body Fastify buffers (raw streams are limited by the routes). */
  bodyLimit?: number;
  /** Request ids: also accepted from a caller's `X-Request-Id` when well-formed. */
  trustRequestId?: boolean;
  /** OpenAPI security scheme for writes, when the service has one. */
  bearerAuth?: boolean;
  /** Traces requests when given (see RequestInstrumentation); routes with `config.trace: false` are skipped. */
  instrumentation?: RequestInstrumentation;
  /** Longest path parameter (the fetcher's target URL is one). */
  maxParamLength?: number;
  /** Bounds of the lingering close after an answer given before the body was read. */
  linger?: LingerLimits;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** Set on a request of a route that writes no request log line (`config.quiet`). */
const QUIET = Symbol('quietRequest');
/** Marks the base's own per-route hook, so a route seen twice (HEAD from GET) gets it once. */
const BASE_HOOK = Symbol('baseRouteHook');
type Hook = ((req: FastifyRequest, reply: FastifyReply, done: () => void) => void) & { [BASE_HOOK]?: true };
const idPrefix = `${randomBytes(4).toString('hex')}-`;
let requestCount = 0;

/** Renders the contract's error body. */
export function errorBody(id: string, code: string, status: number, detail: string): ErrorBody {
  return { id, code, status, detail };
}

/** Maps anything thrown to `{code, status, detail}` without leaking internals. */
export function toErrorBody(req: FastifyRequest, err: unknown): ErrorBody & { headers?: Record<string, string> } {
  if (err instanceof AppError) return { ...errorBody(req.id, err.code, err.status, err.detail), headers: err.headers };
  const e = err as FastifyError & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (e?.validation && e.validation.length > 0) {
    const v = e.validation[0] as { instancePath?: string; message?: string; keyword?: string; params?: Record<string, any> };
    const where = [e.validationContext ?? 'request', ...(v.instancePath ?? '').split('/').filter(Boolean)].join('.');
    const required = v.params?.requiredProperties?.[0] ?? v.params?.missingProperty;
    const detail =
      v.keyword === 'required' && required
        ? `${where}.${required} is required`
        : /schema is false/.test(v.message ?? '') || v.keyword === 'additionalProperties'
          ? `${where} is not an allowed field`
          : `${where} ${v.message ?? 'is invalid'}`;
    return errorBody(req.id, 'validation_failed', 400, detail);
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorBody(req.id, 'invalid_json', 400, 'the request body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorBody(req.id, 'body_too_large', 413, 'the request body is larger than this server accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorBody(req.id, 'unsupported_media_type', 415, 'unsupported content type');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorBody(req.id, 'bad_request', 400, 'Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return errorBody(req.id, 'bad_request', 400, 'malformed URL');
    default:
      break;
  }
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    return errorBody(req.id, status === 404 ? 'not_found' : 'bad_request', status, status === 404 ? 'not found' : 'bad request');
  }
  return errorBody(req.id, 'internal', 500, 'internal error; the request id is in the server log');
}

/** Sends an error in the contract's shape. */
export function sendError(reply: FastifyReply, body: ErrorBody & { headers?: Record<string, string> }): FastifyReply {
  const { headers, ...rest } = body;
  if (headers) reply.headers(headers);
  return reply.code(rest.status).type('application/json; charset=utf-8').send(rest);
}

/** Answers a broken request line or oversized headers with JSON before Fastify sees it. */
function clientErrorHandler(err: NodeJS.ErrnoException & { bytesParsed?: number }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, reason, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'header_too_large', 'Request Header Fields Too Large', 'request headers are too large']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'Request Timeout', 'the request headers did not arrive in time (--headers-timeout)']
        : [400, 'bad_request', 'Bad Request', 'malformed HTTP request'];
  const body = JSON.stringify(errorBody(randomBytes(8).toString('hex'), code, status, detail));
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Builds the Fastify base with error handling, request logging and OpenAPI. */
export async function createHttpApp(options: HttpAppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'req_id' }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestTimeout: 0,
    clientErrorHandler,
    routerOptions: { maxParamLength: options.maxParamLength ?? 100 },
    genReqId(req) {
      const given = req.headers['x-request-id'];
      if (options.trustRequestId !== false && typeof given === 'string' && REQUEST_ID.test(given)) return given;
      // A random per-process prefix and a counter: unique, and no CSPRNG call per request.
      return `${idPrefix}${(++requestCount).toString(36)}`;
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  // TypeBox validates bodies strictly (no coercion) and converts only query, params and headers.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  const instrumentation = options.instrumentation;
  instrumentation?.register(app);
  app.decorateRequest(QUIET, false);

  // What each route logs and traces is decided once, when the route is added: reading
  // `req.routeOptions` per request builds a fresh 13-field object each time. The route's first
  // onRequest hook marks a quiet request and starts its span (before the route's own hooks,
  // which may answer from a cache). The docs page and its assets are neither traced nor logged.
  app.addHook('onRoute', (route) => {
    const docs = route.url.startsWith('/docs');
    const quiet = docs || route.config?.quiet === true;
    const traced = instrumentation !== undefined && !docs && route.config?.trace !== false;
    if (!quiet && !traced) return;
    const start = traced ? instrumentation.starter(route.url) : undefined;
    const first: Hook = (req, reply, done) => {
      if (quiet) (req as Quietable)[QUIET] = true;
      if (start !== undefined) start(req, reply);
      done();
    };
    first[BASE_HOOK] = true;
    const own = (route.onRequest === undefined ? [] : ([] as Hook[]).concat(route.onRequest as Hook | Hook[])).filter((h) => h[BASE_HOOK] !== true);
    route.onRequest = [first, ...own] as typeof route.onRequest;
  });

  // One line per request, at completion: cheaper than Fastify's two, and it carries the status.
  // Callback hooks, not async ones: an async hook costs Fastify a promise and a microtask hop
  // per request, on every request, whatever the log level.
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  // An answer given before the body was read (413, 401, 400...) closes with a lingering close,
  // so clients that write the whole body before reading still read it.
  const linger = options.linger ?? defaultLinger;
  app.addHook('onSend', (req, reply, payload, done) => {
    if (bodyUnread(req.raw) && lingerAfterAnswer(req.raw, reply.raw, linger)) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    instrumentation?.end(req, reply);
    if ((req as Quietable)[QUIET] !== true) {
      logRequest(req.log as unknown as Logger, req.method, req.url, reply.statusCode, Math.round(reply.elapsedTime * 100) / 100, instrumentation?.logFields(req));
    }
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    instrumentation?.error(req, err);
    const body = toErrorBody(req, err);
    if (body.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.debug({ code: body.code }, 'request rejected');
    return sendError(reply, body);
  });
  const startNotFound = instrumentation?.starter(undefined);
  app.setNotFoundHandler((req, reply) => {
    startNotFound?.(req, reply);
    return sendError(reply, errorBody(req.id, 'not_found', 404, `no route for ${req.method} ${req.url.split('?')[0]}`));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, description: options.description, version: options.version },
      ...(options.bearerAuth
        ? { components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } }
        : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true }, staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true }, config: { quiet: true, trace: false } }, async () => app.swagger());
  return app;
}
