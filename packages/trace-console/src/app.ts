/**
 * trace-console's app factory: the TCP side of the local daemon. Console API, OTLP
 * receiver, X-Ray service API and event stream over one store and one ingest path.
 * It never listens; main.ts (or a test) decides where it runs.
 */
import type { Logger } from 'pino';
import { bearerChecker } from '@tfa/service-kit/auth';
import { createHttpApp, errorBody, sendError, type App } from '@tfa/service-kit/http';
import { registerAnalysisRoutes } from './api/analysis.ts';
import { registerMcp } from './api/mcp.ts';
import { registerEvents, type EventsOptions } from './api/events.ts';
import { registerOtlp, type SigV4Check } from './api/otlp.ts';
import { registerConsoleRoutes, type RuntimeStats } from './api/routes.ts';
import { registerSamplingRoutes } from './api/sampling.ts';
import type { Diagnostics } from './ingest/diagnostics.ts';
import type { Ingest } from './ingest/ingest.ts';
import type { SamplingService } from './sampling/service.ts';
import type { TraceStoreApi } from './store/store.ts';
import { registerXRayApi } from './xray/api.ts';
import { findGroup } from './xray/groups.ts';
import { registerHostGuard, type HostGuardOptions } from './guard.ts';
import { openXRayState, type XRayState } from './xray/state.ts';
import type { BrowserLogin } from './login.ts';
import { packageVersion } from '@tfa/service-kit/config';

/** What the console app needs. */
export interface ConsoleOptions {
  store: TraceStoreApi;
  ingest: Ingest;
  diagnostics: Diagnostics;
  sampling: SamplingService;
  /** The X-Ray API's groups, rules, tags, policies and settings (main.ts: in the --db file); in memory when absent. */
  xray?: XRayState;
  /** X-Ray API writes per second before ThrottledException (default 100). */
  xrayWriteRate?: number;
  logger: Logger;
  /** Bearer token for every route but /health; without one the console is open (loopback only). */
  token?: string;
  /** With a token: the one-time browser login whose link main.ts prints. */
  login?: BrowserLogin;
  /** Extra counters for /api/diagnostics (UDP relay drops, ...). */
  runtime?: RuntimeStats;
  events?: EventsOptions;
  /** Serves the web console (`GET /`, built on first use); off for in-process API tests. */
  ui?: boolean;
  /** With `--aws-credentials`: `/v1/traces` takes only requests SigV4-signed with them. */
  sigv4?: SigV4Check;
  /** The addresses it answers to (DNS-rebinding guard); default 127.0.0.1 and localhost. */
  hostGuard?: HostGuardOptions;
}

/** A SigV4-signed `/v1/traces` request is authenticated by its signature, which takes the Authorization header the token would. */
function signedOtlp(options: Pick<ConsoleOptions, 'sigv4'>, url: string, authorization: string | undefined): boolean {
  return options.sigv4 !== undefined && url.split('?')[0] === '/v1/traces' && (authorization ?? '').startsWith('AWS4-HMAC-SHA256 ');
}

/** The web console; when its bundle cannot be built, the API still serves and `/` says why. */
async function registerWebConsole(app: App, logger: Logger): Promise<void> {
  try {
    // Imported lazily: a UI module that fails to load must not keep the daemon from starting.
    const { registerUi } = await import('./ui/serve.ts');
    // The UI module types the plain Fastify instance; ours carries the TypeBox provider.
    await registerUi(app as unknown as Parameters<typeof registerUi>[0]);
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    logger.warn({ err }, 'web console unavailable');
    app.get('/', { schema: { hide: true } }, async (req, reply) =>
      sendError(reply, errorBody(req.id, 'unavailable', 503, `the web console could not be built (${reason}); the API under /api and the X-Ray API still work`)),
    );
  }
}

/** Builds the console app. */
export async function buildConsoleApp(options: ConsoleOptions): Promise<App> {
  const app = await createHttpApp({
    logger: options.logger,
    title: 'trace-console',
    description: 'Local AWS X-Ray daemon stand-in: UDP segments, OTLP/HTTP, X-Ray API, trace store and console.',
    version: packageVersion(import.meta.url),
    bodyLimit: 8 * 1024 * 1024,
    bearerAuth: options.token !== undefined,
  });
  // First of all hooks: a page in the user's browser gets nothing, not even a 401.
  registerHostGuard(app, options.hostGuard ?? { listenHost: '127.0.0.1', allowHosts: [] });
  if (options.token) {
    const check = bearerChecker(options.token, 'this trace-console needs Authorization: Bearer <token>');
    const login = options.login;
    // UDP stays open (the daemon protocol has no auth); every TCP route but /health needs the
    // token, or the session cookie a browser got from the one-time login link.
    app.addHook('onRequest', async (req) => {
      if (req.url === '/health' || req.url.startsWith('/login?') || signedOtlp(options, req.url, req.headers.authorization)) return;
      if (login?.hasSession(req.headers.cookie)) return;
      check(req.headers.authorization);
    });
    login?.register(app);
  }
  const xrayStats: Record<string, unknown> = {};
  const runtime = options.runtime;
  const xray = options.xray ?? openXRayState(':memory:');
  if (!options.xray) app.addHook('onClose', async () => xray.close());
  const groupExpression = (name: string) => {
    const group = findGroup(xray, { name });
    return group === undefined ? undefined : (group.FilterExpression ?? '');
  };
  registerConsoleRoutes(app, options.store, options.diagnostics, () => ({ ...runtime?.(), xray: xrayStats }), groupExpression);
  registerSamplingRoutes(app, options.sampling);
  registerAnalysisRoutes(app, options.store, options.diagnostics);
  registerMcp(app, { store: options.store, diagnostics: options.diagnostics, sampling: options.sampling, version: '0.1.0' });
  registerEvents(app, options.store, options.events);
  registerOtlp(app, options.ingest, options.sigv4);
  registerXRayApi(app, { store: options.store, ingest: options.ingest, sampling: options.sampling, state: xray, stats: xrayStats, writeRate: options.xrayWriteRate });
  if (options.ui) await registerWebConsole(app, options.logger);
  return app;
}

/** The OTLP/HTTP door's app (`--otlp-http`, 4318): only `POST /v1/traces` and `/health`, the same receiver and token as the console's port. */
export async function buildOtlpHttpApp(options: Pick<ConsoleOptions, 'ingest' | 'logger' | 'token' | 'sigv4'>): Promise<App> {
  const app = await createHttpApp({ logger: options.logger, title: 'trace-console OTLP/HTTP', description: 'OTLP/HTTP traces receiver.', version: '0.1.0', bodyLimit: 8 * 1024 * 1024, bearerAuth: options.token !== undefined });
  if (options.token) {
    const check = bearerChecker(options.token, 'this trace-console needs Authorization: Bearer <token> (set OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20<token>)');
    app.addHook('onRequest', async (req) => {
      if (req.url !== '/health' && !signedOtlp(options, req.url, req.headers.authorization)) check(req.headers.authorization);
    });
  }
  app.get('/health', { schema: { hide: true } }, async (_req, reply) => reply.type('text/plain').send('OK'));
  registerOtlp(app, options.ingest, options.sigv4);
  return app;
}
