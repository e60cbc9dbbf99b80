/**
 * Listening and graceful shutdown, shared by every service's main:
 * stop accepting, finish in-flight requests, run the service's own cleanup,
 * exit 0 within the deadline (1 if it had to be forced).
 */
import type { Logger } from 'pino';
import type { App } from './http.ts';
import { formatHostPort, type HostPort } from './config.ts';
import { flushLogs } from './logging.ts';

/** Listens or exits with one line saying what to do about it. */
export async function listenOrExit(app: App, command: string, at: HostPort, flag: string): Promise<string> {
  try {
    return await app.listen({ host: at.host, port: at.port });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const where = formatHostPort(at);
    const why =
      e.code === 'EADDRINUSE'
        ? `${where} is already in use; stop what holds it or move ${command} with ${flag}`
        : e.code === 'EACCES'
          ? `no permission to listen on ${where}; pick a port above 1023 with ${flag}`
          : e.code === 'EADDRNOTAVAIL'
            ? `${at.host} is not an address of this machine; fix ${flag}`
            : `cannot listen on ${where}: ${e.message}`;
    process.stderr.write(`${command}: ${why}\n`);
    process.exit(1);
  }
}

/**
 * Cuts off clients that trickle their request headers (slowloris): after `ms` without complete
 * headers Node answers 408 and closes (see clientErrorHandler in http.ts). Node checks every
 * connectionsCheckingInterval (30 s by default), so the check runs at a fraction of the timeout.
 * Call before listening.
 */
export function limitHeaderTime(app: App, ms: number): void {
  app.server.headersTimeout = ms;
  app.server.connectionsCheckingInterval = Math.max(50, Math.min(1000, Math.round(ms / 4)));
}

/** Installs SIGINT/SIGTERM handlers that close the app, then `cleanup`, within `deadlineMs`. */
export function onShutdown(app: App, logger: Logger, cleanup: () => Promise<void>, deadlineMs = 10_000): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      flushLogs(logger);
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    let code = 0;
    try {
      await app.close();
      await cleanup();
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      code = 1;
    }
    logger.info('stopped');
    flushLogs(logger);
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // Under a supervisor (npm start) stdin is a pipe from it: when it goes away, so do we. The
  // terminal's Ctrl-C reaches the whole process group; the supervisor decides, so we ignore it.
  if (process.env.EXIT_WITH_PARENT !== '1') process.once('SIGINT', () => void stop('SIGINT'));
  else process.on('SIGINT', () => {});
  if (process.env.EXIT_WITH_PARENT === '1') {
    process.stdin.on('end', () => void stop('parent exited'));
    process.stdin.on('error', () => void stop('parent exited'));
    process.stdin.resume();
  }
}
