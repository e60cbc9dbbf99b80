/**
 * pino JSON logs on stdout. Writes are asynchronous so a slow terminal or
 * pipe never stalls a request; `flushLogs` runs at shutdown.
 */
import { pino, type Logger } from 'pino';

/** Extra fields merged into every line (the tracing module adds trace_id/span_id). */
export type LogMixin = () => Record<string, unknown>;

let mixins: LogMixin[] = [];

/** Registers a mixin for every logger made by `createLogger` (used by src/tracing). */
export function addLogMixin(mixin: LogMixin): void {
  mixins = [...mixins, mixin];
}

/** Creates the process logger: `service` in every line, level from LOG_LEVEL (default info). */
export function createLogger(service: string, options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
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
