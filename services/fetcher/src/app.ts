/** The fetcher's app factory: routes over a FetchService; never listens itself. */
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { requestTracing } from '@tfa/service-tracing/server';
import { createHttpApp, type App } from '@tfa/service-kit/http';
import { routes, targetFromRawUrl } from './contract.ts';
import type { FetchService } from './fetch-service.ts';
import { packageVersion } from '@tfa/service-kit/config';

/** What the fetcher app needs. */
export interface FetcherOptions {
  service: FetchService;
  logger: Logger;
  /** The current request's X-Ray trace id, when tracing is on. */
  traceId?: () => string | null;
  /** Traces each request when given (see @tfa/service-tracing). */
  tracer?: Tracer;
}

/** Builds the fetcher app. */
export async function buildApp(options: FetcherOptions): Promise<App> {
  const { service } = options;
  const traceId = options.traceId ?? (() => null);
  const app = await createHttpApp({
    logger: options.logger,
    instrumentation: options.tracer ? requestTracing(options.tracer) : undefined,
    title: 'fetcher',
    description: 'Fetches a document by URL, safely, and stores it in the archiver.',
    version: packageVersion(import.meta.url),
    bodyLimit: 64 * 1024,
    maxParamLength: 8192,
  });

  const answer = async (url: string, log: Logger) => {
    const result = await service.fetch(url, log);
    const id = traceId();
    return id ? { ...result, trace_id: id } : result;
  };

  app.route({ ...routes.fetchGet, handler: async (req) => answer(targetFromRawUrl(req.raw.url ?? ''), req.log) });
  app.route({ ...routes.fetchPost, handler: async (req) => answer(req.body.url, req.log) });
  app.route({
    ...routes.health,
    config: { quiet: true, trace: false },
    handler: async (_req, reply) => {
      const ok = await service.health();
      return reply.code(ok ? 200 : 503).type('text/plain; charset=utf-8').send(ok ? 'OK' : 'archiver unavailable');
    },
  });
  return app;
}
