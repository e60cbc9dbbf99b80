/**
 * fetcher: fetches a document by URL and stores it in the archiver.
 * Read top to bottom: config, logger, clients, wait for the archiver, app, listen, graceful stop.
 */
import { ArchiverClient } from '@tfa/archiver/client';
import { helpText, packageVersion, parseConfig, runMain } from '@tfa/service-kit/config';
import { createLogger, flushLogs } from '@tfa/service-kit/logging';
import { listenOrExit, onShutdown, limitHeaderTime } from '@tfa/service-kit/serve';
import { buildApp } from './app.ts';
import { fetcherSettings } from './config.ts';
import { FetchService } from './fetch-service.ts';
import { createUpstream } from './upstream.ts';
import { waitForArchiver } from './wait.ts';
import { setupTracing } from '@tfa/service-tracing/setup';

await runMain(async () => {
  // 1. Configuration: flags > env > defaults, validated once.
  const { values: cfg } = parseConfig('fetcher', fetcherSettings);
  if (cfg.help) {
    process.stdout.write(`${helpText('fetcher', '[options]', fetcherSettings)}\n`);
    return;
  }

  // 2. Logger and tracing (before anything that makes spans); the archiver's calls carry its name.
  const logger = createLogger('fetcher');
  const tracing = setupTracing({ serviceName: 'fetcher', serviceVersion: packageVersion(import.meta.url), daemonAddress: cfg.daemon, logger, peerServices: { [cfg.archiver]: 'archiver' } });

  // 3. Clients: the guarded upstream and the archiver.
  const upstream = createUpstream({
    allow: cfg.allow,
    connectTimeoutMs: cfg.connectTimeout,
    deadlineMs: cfg.deadline,
    maxBodyBytes: cfg.maxBody,
    maxRedirects: cfg.maxRedirects,
    maxConcurrent: cfg.maxConcurrent,
  });
  const archiver = new ArchiverClient({ baseUrl: cfg.archiver, token: cfg.archiverToken, timeoutMs: cfg.deadline });

  // 4. The archiver must answer before we take requests (the original waited 60 s too).
  if (!(await waitForArchiver(() => archiver.health(), cfg.wait, logger, cfg.archiver))) {
    flushLogs(logger);
    process.stderr.write(`fetcher: the archiver at ${cfg.archiver} did not answer /health within ${cfg.wait / 1000}s; start it first or fix --archiver (ARCHIVER_URL)\n`);
    process.exit(1);
  }

  // 5. App and server.
  const app = await buildApp({ service: new FetchService(upstream, archiver), logger, tracer: tracing.enabled ? tracing.tracer : undefined, traceId: tracing.traceId });
  limitHeaderTime(app, cfg.headersTimeout);
  const address = await listenOrExit(app, 'fetcher', cfg.listen, '--listen (FETCHER_LISTEN)');
  logger.info({ address, archiver: cfg.archiver, allow: cfg.allow.entries }, 'fetcher listening');

  // 6. Graceful stop: finish in-flight fetches, close upstream connections, flush traces.
  onShutdown(app, logger, async () => {
    await upstream.close();
    await tracing.shutdown();
  });
});
