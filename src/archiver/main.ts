/**
 * archiver: stores HTTP responses and serves them back.
 * Read top to bottom: config, logger, store, app, listen, graceful stop.
 */
import { ConfigError, helpText, parseConfig, runMain } from '../shared/config.ts';
import { createLogger } from '../shared/logging.ts';
import { listenOrExit, onShutdown } from '../shared/serve.ts';
import { buildApp } from './app.ts';
import { archiverSettings, checkProtectedMode } from './config.ts';
import { openSqliteStore } from './store/sqlite.ts';

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

  // 2. Logger.
  const logger = createLogger('archiver');

  // 3. Store: opening it also removes uploads a previous crash left half-written.
  let store;
  try {
    store = openSqliteStore(cfg.db);
  } catch (err) {
    throw new ConfigError(`archiver: cannot open --db ${cfg.db}: ${(err as Error).message}`);
  }

  // 4. App and server.
  const app = await buildApp({ store, logger, token: cfg.token, maxBody: cfg.maxBody });
  const address = await listenOrExit(app, 'archiver', cfg.listen, '--listen (ARCHIVER_LISTEN)');
  logger.info({ address, db: cfg.db, auth: cfg.token ? 'token' : 'loopback-only' }, 'archiver listening');

  // 5. Graceful stop: finish in-flight requests, then close the database.
  onShutdown(app, logger, () => store.close());
});
