/**
 * Span times at the clock's full resolution, on one anchor for the whole process.
 *
 * The OpenTelemetry JS SDK stamps a span's start with `Date.now()`, in whole milliseconds,
 * and measures its end and its events from that start with `performance.now()`. Every span is
 * therefore shifted back by its own fraction of a millisecond, so a child can start before
 * its parent or end after it: in a loop of 2 000 parent/child pairs with sub-millisecond
 * gaps, 31 % of the children lay outside their parent, by up to 1.4 ms. X-Ray draws such a
 * subsegment sticking out of its segment, and trace-console's diagnosis calls it clock skew.
 *
 * `PreciseTimeSpanProcessor` restamps the start of every span whose start time was not
 * given, from `performance.timeOrigin + performance.now()` (sub-microsecond) taken at the
 * very moment the SDK took its own. The SDK measures the end and the events from the start,
 * so they follow; a start time the caller gave is left alone. Put it first among the
 * provider's span processors. The anchor is checked against `Date.now()` at most once a
 * second and moved when the two disagree by more than a millisecond (a suspended machine,
 * a stepped clock), so times never drift from the wall clock.
 *
 * It relies on two private fields of the SDK's span (`_startTimeProvided`,
 * `_performanceStartTime`, sdk-trace 2.x and 3.x); a span without them is left as it is.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

type HrTime = [number, number];

/** The clocks the processor reads: injectable for tests. */
export interface PreciseClockSource {
  /** Wall-clock milliseconds at which `monotonic()` read 0 (`performance.timeOrigin`). */
  origin: number;
  /** Monotonic milliseconds since `origin`, fractional (`performance.now()`). */
  monotonic(): number;
  /** Wall-clock milliseconds, whole (`Date.now()`). */
  wall(): number;
}

/** What the SDK's span keeps about its start (private fields of `SpanImpl`). */
interface SdkSpanTimes {
  startTime: HrTime;
  _startTimeProvided?: boolean;
  _performanceStartTime?: number;
  _performanceOffset?: number;
}

const CHECK_EVERY_MS = 1000;
// Date.now() is the wall clock rounded down, so with an exact anchor it reads 0-1 ms below
// the anchor's time; outside this band the anchor has drifted.
const DRIFT_LOW_MS = -2;
const DRIFT_HIGH_MS = 1;

const defaultSource: PreciseClockSource = {
  origin: performance.timeOrigin,
  monotonic: () => performance.now(),
  wall: Date.now,
};

/** Restamps span starts with sub-millisecond times from one anchor (see the module comment). */
export class PreciseTimeSpanProcessor implements SpanProcessor {
  readonly #source: PreciseClockSource;
  // The wall-clock time of monotonic 0, split so that the sum with a small monotonic reading
  // keeps its sub-microsecond digits: #anchorS seconds + #anchorMs milliseconds.
  #anchorS = 0;
  #anchorMs = 0;
  #nextCheck = 0;

  constructor(options: { source?: PreciseClockSource } = {}) {
    this.#source = options.source ?? defaultSource;
    this.#anchor(this.#source.origin);
    this.#nextCheck = this.#source.monotonic() + CHECK_EVERY_MS;
  }

  /** The wall-clock time of monotonic reading `mono` (ms), as an OpenTelemetry HrTime. */
  timeAt(mono: number): HrTime {
    const ms = this.#anchorMs + mono;
    let s = Math.floor(ms / 1000);
    let ns = Math.round((ms - s * 1000) * 1e6);
    if (ns >= 1e9) {
      s += 1;
      ns -= 1e9;
    }
    return [this.#anchorS + s, ns];
  }

  /** Now, as an HrTime on the processor's anchor (for times given to `startSpan`, `end`, `addEvent`). */
  now(): HrTime {
    const mono = this.#source.monotonic();
    if (mono >= this.#nextCheck) this.#check(mono);
    return this.timeAt(mono);
  }

  onStart(span: Span, _parentContext: Context): void {
    const s = span as unknown as SdkSpanTimes;
    const mono = s._performanceStartTime;
    if (s._startTimeProvided !== false || typeof mono !== 'number') return;
    if (mono >= this.#nextCheck) this.#check(this.#source.monotonic());
    try {
      s.startTime = this.timeAt(mono);
      // Times given as performance.now() readings go through the span's offset: the same anchor.
      if (typeof s._performanceOffset === 'number') s._performanceOffset = this.#anchorS * 1000 + this.#anchorMs - this.#source.origin;
    } catch {
      // A span whose start cannot be written (a frozen span, a getter in some future SDK)
      // keeps the SDK's own time: never fail the span's start over it.
    }
  }

  onEnd(_span: ReadableSpan): void {}

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}

  #check(mono: number): void {
    this.#nextCheck = mono + CHECK_EVERY_MS;
    const drift = this.#source.wall() - (this.#anchorS * 1000 + this.#anchorMs + mono);
    // Re-anchored mid-way into Date.now()'s millisecond: within 0.5 ms of the wall clock.
    if (drift < DRIFT_LOW_MS || drift > DRIFT_HIGH_MS) this.#anchor(this.#source.wall() + 0.5 - mono);
  }

  #anchor(ms: number): void {
    this.#anchorS = Math.floor(ms / 1000);
    this.#anchorMs = ms - this.#anchorS * 1000;
  }
}
