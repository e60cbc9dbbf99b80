/**
 * archiver: stores HTTP responses and serves them back.
 * Read top to bottom: config, logger, store, app, listen, graceful stop.
 */
import { ConfigError, helpText, parseConfig, runMain } from '../shared/config.ts';
import { createLogger } from '../shared/logging.ts';
import { listenOrExit, onShutdown } from '../shared/serve.ts';
import { buildApp } from './app.ts';
import { archiverSettings, checkProtectedMode } from './config.ts';
import { openSqliteStore, sqliteStatements } from './store/sqlite.ts';
import { tracedStore } from './store/traced.ts';
import { setupTracing } from '../tracing/setup.ts';

await runMain(async () => {
  // 1. Configuration: flags > env > defaults, validated once.
  const { values: cfg } = parseConfig('archiver', archiverSettings);
  if (cfg.help) {
    process.stdout.write(`${helpText('archiver', '[options]', archiverSettings)}\n`);
    return;
  }
  try {
    checkProtectedMode(cfg.listen.host, cfg.token);
  } catch (err) {
    throw new ConfigError(`archiver: ${(err as Error).message}`);
  }

  // 2. Logger and tracing (before anything that makes spans).
  const logger = createLogger('archiver');
  const tracing = setupTracing({ serviceName: 'archiver', serviceVersion: '0.1.0', daemonAddress: cfg.daemon, logger });

  // 3. Store: opening it also removes uploads a previous crash left half-written.
  let store;
  try {
    store = openSqliteStore(cfg.db);
  } catch (err) {
    throw new ConfigError(`archiver: cannot open --db ${cfg.db}: ${(err as Error).message}`);
  }
  const closeStore = store.close.bind(store);
  if (tracing.enabled) store = tracedStore(store, tracing.tracer, { system: 'sqlite', path: cfg.db, statements: sqliteStatements });

  // 4. App and server.
  const app = await buildApp({ store, logger, token: cfg.token, maxBody: cfg.maxBody, tracer: tracing.enabled ? tracing.tracer : undefined, traceId: tracing.traceId });
  const address = await listenOrExit(app, 'archiver', cfg.listen, '--listen (ARCHIVER_LISTEN)');
  logger.info({ address, db: cfg.db, auth: cfg.token ? 'token' : 'loopback-only' }, 'archiver listening');

  // 5. Graceful stop: finish in-flight requests, close the database, flush traces.
  onShutdown(app, logger, async () => {
    await closeStore();
    await tracing.shutdown();
  });
});
