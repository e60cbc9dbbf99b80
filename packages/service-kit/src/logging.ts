/**
 * pino JSON logs on stdout. Writes are asynchronous so a slow terminal or
 * pipe never stalls a request, and batched: lines collect until 4 KiB or
 * 100 ms, whichever comes first, so a request costs no write syscall of its
 * own (the costliest part of a log line). The buffer is bounded (8 MiB, lines
 * beyond it are dropped rather than growing memory while stdout is stuck);
 * what is buffered is written synchronously at exit and by `flushLogs` at
 * shutdown.
 *
 * The batching is ours, in front of pino's asynchronous destination (sonic-boom)
 * rather than its `minLength`: sonic-boom measures the byte length of the string
 * it appends to on every write, which flattens and scans up to 16 KiB per line
 * (~20 µs a request line under load, half the untraced archiver's throughput).
 * Here a line is only pushed to an array; one joined string goes down per batch.
 */
import { pino, type Logger } from 'pino';

/** Extra fields merged into every line (the tracing module adds trace_id/span_id). */
export type LogMixin = () => Record<string, unknown>;

let mixins: LogMixin[] = [];
/** The destinations of loggers made here, whose lines `logRequest` may write directly. */
const made = new WeakSet<object>();
/** Every batching destination, drained at exit before pino's own exit hook writes sonic-boom's buffer. */
const batches = new Set<{ drain(): void }>();
const drainAll = () => {
  for (const b of batches) b.drain();
};
process.on('beforeExit', drainAll);
process.on('exit', drainAll);

const LOG_BATCH_BYTES = 4096;
const LOG_BATCH_MS = 100;
const LOG_MAX_BUFFERED = 8 * 1024 * 1024;

/** Registers a mixin for every logger made by `createLogger` (used by @tfa/service-tracing). */
export function addLogMixin(mixin: LogMixin): void {
  mixins = [...mixins, mixin];
}

// `,"time":"<ISO 8601>"` for this millisecond: at thousands of lines a second most lines share
// one. A new millisecond appends its digits to the second's cached prefix: `toISOString` goes
// through V8's printf-style date formatter, ~6 000 instructions a call (callgrind), a third of
// the request line's cost whenever lines are a millisecond or more apart.
let stampMs = -1;
let stamp = '';
let stampSecond = Number.NaN;
let secondPrefix = '';
const MILLIS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** `,"time":"…"` for epoch milliseconds `now`: the same text as `new Date(now).toISOString()`. */
export function isoStamp(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== stampSecond) {
    const iso = new Date(second * 1000).toISOString();
    // Years 0000–9999 read `YYYY-MM-DDTHH:MM:SS.000Z`; any other (±YYYYYY) is formatted whole.
    if (iso.length !== 24) return `,"time":"${new Date(now).toISOString()}"`;
    stampSecond = second;
    secondPrefix = `,"time":"${iso.slice(0, 20)}`;
  }
  return `${secondPrefix}${MILLIS[now - second * 1000]}Z"`;
}

function isoTime(): string {
  const now = Date.now();
  if (now !== stampMs) {
    stampMs = now;
    stamp = isoStamp(now);
  }
  return stamp;
}

/** Creates the process logger: `service` in every line, level from LOG_LEVEL (default info). */
export function createLogger(service: string, options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const destination = options.destination ?? batched(pino.destination({ dest: 1, sync: false, maxLength: LOG_MAX_BUFFERED }));
  made.add(destination);
  return pino(
    {
      level,
      base: { service },
      timestamp: isoTime,
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

type SonicBoom = ReturnType<typeof pino.destination>;

/** Lines collect in an array (≤ 4 KiB) and go to `sonic` joined, at 4 KiB or after 100 ms. */
function batched(sonic: SonicBoom): pino.DestinationStream & { flush(cb?: (err?: Error) => void): void; flushSync(): void } {
  let pending: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const batch = {
    drain() {
      if (timer) clearTimeout(timer), (timer = undefined);
      if (pending.length === 0) return;
      const text = pending.length === 1 ? pending[0]! : pending.join('');
      pending = [];
      size = 0;
      try {
        sonic.write(text);
      } catch {
        // stdout already closed (exit after end): nothing left to write to
      }
    },
  };
  batches.add(batch);
  return {
    write(line: string) {
      pending.push(line);
      size += line.length;
      if (size >= LOG_BATCH_BYTES) batch.drain();
      else if (!timer) (timer = setTimeout(batch.drain, LOG_BATCH_MS)).unref();
    },
    flush(cb?: (err?: Error) => void) {
      batch.drain();
      sonic.flush(cb);
    },
    flushSync() {
      batch.drain();
      sonic.flushSync();
    },
  };
}

/** Flushes buffered log lines; call before exit. */
export function flushLogs(logger: Logger): void {
  try {
    logger.flush();
  } catch {
    // a closed stdout must not turn a clean shutdown into a crash
  }
}

const { chindingsSym, streamSym } = pino.symbols;
const INFO = 30;

/**
 * Writes the one line a request gets at its end: the JSON `log.info({method, url, status, ms,
 * ...fields}, 'request')` writes (same fields, same order, the child's bindings such as
 * `req_id` included), built directly instead of through pino's generic serialiser, which
 * walks the object and runs the mixins and formatters for every request (measured: 1.3 µs a
 * line against 0.4). `json` is more fields as a JSON fragment (`,"trace_id":"…"`), rendered
 * by whoever knows they need no escaping. Loggers not made by `createLogger` (tests' silent or
 * custom ones) get the plain call.
 */
export function logRequest(log: Logger, method: string, url: string, status: number, ms: number, json = ''): void {
  if (log.levelVal > INFO) return;
  const l = log as unknown as Record<symbol, unknown>;
  const chindings = l[chindingsSym];
  const stream = l[streamSym] as { write(line: string): void } | undefined;
  if (stream === undefined || stream === null || !made.has(stream) || typeof chindings !== 'string') {
    log.info({ method, url, status, ms, ...(json ? JSON.parse(`{${json.slice(1)}}`) : undefined) }, 'request');
    return;
  }
  // Node's HTTP parser admits only registered method names (capital letters and '-'): no escaping.
  let line = `{"level":"info"${isoTime()}${chindings},"method":"${method}","url":${JSON.stringify(url)},"status":${status},"ms":${ms}${json}`;
  for (let i = 0; i < mixins.length; i++) {
    const extra = mixins[i]!();
    for (const k in extra) if (!json.includes(`"${k}":`)) line += `,${JSON.stringify(k)}:${JSON.stringify(extra[k])}`;
  }
  stream.write(`${line},"msg":"request"}\n`);
}
