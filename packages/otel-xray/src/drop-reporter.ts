/**
 * Rate-limited drop reporting: the services log lost spans, but a dead daemon must not
 * turn into a log line per request. Counts accumulate and are handed to `onDrop` at most
 * once per interval, from an unref'd timer (never from inside the request that dropped).
 */

/** What was lost since the previous report. */
export interface DropSummary {
  /** Spans dropped because the export queue was full. */
  queueFull: number;
  /** Datagrams lost because the daemon host did not resolve. */
  dnsErrors: number;
  /** Datagrams refused: ICMP port unreachable, i.e. nothing listens on the daemon port. */
  refused: number;
  /** Other send failures. */
  sendErrors: number;
  /** Spans the translator could not encode. */
  encodeErrors: number;
  /** The last error message seen, for the log line. */
  lastError: string | undefined;
  /** Length of the window these counts cover (ms). */
  windowMs: number;
}

/** Kinds of loss the reporter counts. */
export type DropKind = 'queue' | 'dns' | 'refused' | 'send' | 'encode';

/** Accumulates drops and reports them at most once per interval. */
export class DropReporter {
  private readonly onDrop: ((summary: DropSummary) => void) | undefined;
  private readonly intervalMs: number;
  private counts = { queue: 0, dns: 0, refused: 0, send: 0, encode: 0 };
  private lastError: string | undefined;
  private windowStart = performance.now();
  private lastReportAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly fireBound = (): void => this.fire();

  constructor(onDrop: ((summary: DropSummary) => void) | undefined, intervalMs: number) {
    this.onDrop = onDrop;
    this.intervalMs = intervalMs;
  }

  /** Counts `count` losses (default one); O(1) and safe on the request path. */
  note(kind: DropKind, message?: string, count = 1): void {
    this.counts[kind] += count;
    if (message !== undefined) this.lastError = message;
    if (this.timer === undefined && this.onDrop !== undefined && !this.closed) {
      const delay = Math.max(0, this.lastReportAt + this.intervalMs - performance.now());
      this.timer = setTimeout(this.fireBound, delay);
      this.timer.unref();
    }
  }

  /** Stops the timer, reporting what is still unreported. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.fire();
    }
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    const c = this.counts;
    const summary: DropSummary = {
      queueFull: c.queue,
      dnsErrors: c.dns,
      refused: c.refused,
      sendErrors: c.send,
      encodeErrors: c.encode,
      lastError: this.lastError,
      windowMs: Math.round(now - this.windowStart),
    };
    this.counts = { queue: 0, dns: 0, refused: 0, send: 0, encode: 0 };
    this.lastError = undefined;
    this.windowStart = now;
    this.lastReportAt = now;
    try {
      this.onDrop?.(summary);
    } catch {
      // Reporting must never break exporting.
    }
  }
}
