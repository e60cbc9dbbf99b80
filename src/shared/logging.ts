/**
 * pino JSON logs on stdout. Writes are asynchronous so a slow terminal or
 * pipe never stalls a request, and batched: lines collect until 4 KiB or
 * 100 ms, whichever comes first, so a request costs no write syscall of its
 * own (the costliest part of a log line). The buffer is bounded (8 MiB, lines
 * beyond it are dropped rather than growing memory while stdout is stuck);
 * pino writes what is buffered synchronously at exit and `flushLogs` at
 * shutdown.
 */
import { pino, type Logger } from 'pino';

/** Extra fields merged into every line (the tracing module adds trace_id/span_id). */
export type LogMixin = () => Record<string, unknown>;

let mixins: LogMixin[] = [];

const LOG_BATCH_BYTES = 4096;
const LOG_BATCH_MS = 100;
const LOG_MAX_BUFFERED = 8 * 1024 * 1024;

/** Registers a mixin for every logger made by `createLogger` (used by src/tracing). */
export function addLogMixin(mixin: LogMixin): void {
  mixins = [...mixins, mixin];
}

/** Creates the process logger: `service` in every line, level from LOG_LEVEL (default info). */
export function createLogger(service: string, options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_BATCH_MS, maxLength: LOG_MAX_BUFFERED });
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        if (mixins.length === 0) return {};
        if (mixins.length === 1) return mixins[0]!();
        return Object.assign({}, ...mixins.map((m) => m()));
      },
    },
    destination as pino.DestinationStream,
  );
}

/** Flushes buffered log lines; call before exit. */
export function flushLogs(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // a closed stdout must not turn a clean shutdown into a crash
  }
}
