/**
 * archiver: stores HTTP responses and serves them back.
 * Read top to bottom: config, logger, store, app, listen, graceful stop.
 */
import { ConfigError, helpText, packageVersion, parseConfig, runMain } from '@tfa/service-kit/config';
import { createLogger } from '@tfa/service-kit/logging';
import { listenOrExit, onShutdown, limitHeaderTime } from '@tfa/service-kit/serve';
import { buildApp } from './app.ts';
import { archiverSettings, checkProtectedMode } from './config.ts';
import { isPostgresUrl, openPostgresStore, postgresStatements, redactPostgresUrl } from './store/postgres/store.ts';
import { openSqliteStore, sqliteStatements } from './store/sqlite/store.ts';
import { tracedStore } from './store/traced.ts';
import { setupTracing } from '@tfa/service-tracing/setup';

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
  const tracing = setupTracing({ serviceName: 'archiver', serviceVersion: packageVersion(import.meta.url), daemonAddress: cfg.daemon, logger });

  // 3. Store: opening it also removes uploads a previous crash left half-written.
  const postgres = isPostgresUrl(cfg.db);
  const shownDb = postgres ? redactPostgresUrl(cfg.db) : cfg.db;
  let store;
  try {
    store = postgres ? await openPostgresStore(cfg.db) : await openSqliteStore(cfg.db);
  } catch (err) {
    throw new ConfigError(`archiver: cannot open --db ${shownDb}: ${(err as Error).message}`);
  }
  const closeStore = store.close.bind(store);
  if (tracing.enabled) {
    const db = postgres
      ? { system: 'postgresql', path: cfg.db, namespace: new URL(cfg.db).pathname.slice(1) || 'postgres', server: new URL(cfg.db).hostname, statements: postgresStatements }
      : { system: 'sqlite', path: cfg.db, statements: sqliteStatements };
    store = tracedStore(store, tracing.tracer, db);
  }

  // 4. App and server.
  const app = await buildApp({ store, logger, token: cfg.token, maxBody: cfg.maxBody, tracer: tracing.enabled ? tracing.tracer : undefined, traceId: tracing.traceId });
  limitHeaderTime(app, cfg.headersTimeout);
  const address = await listenOrExit(app, 'archiver', cfg.listen, '--listen (ARCHIVER_LISTEN)');
  logger.info({ address, db: shownDb, auth: cfg.token ? 'token' : 'loopback-only' }, 'archiver listening');

  // 5. Graceful stop: finish in-flight requests, close the database, flush traces.
  onShutdown(app, logger, async () => {
    await closeStore();
    await tracing.shutdown();
  });
});
