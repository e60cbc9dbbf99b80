/**
 * Per-sender ingest counters for `GET /api/diagnostics`: what each sender sent, what was
 * refused and why, with the latest offending sample and the fix. Bounded: the least
 * recently seen senders are forgotten first.
 */
import { fixes, problemKinds, type ProblemKind } from './validate.ts';

/** One kind of problem of one sender. */
export interface ProblemReport {
  count: number;
  /** The latest offending input (truncated). */
  sample: string;
  /** What exactly was wrong with the sample. */
  detail: string;
  fix: string;
  /** ISO time of the latest occurrence. */
  last_at: string;
}

/** Everything known about one sender. */
export interface SenderReport {
  /** `udp 127.0.0.1:53012`, `http 127.0.0.1`, `import FILE`. */
  sender: string;
  /** Datagrams (UDP) or documents (HTTP, import) received. */
  received: number;
  /** Documents accepted into the store. */
  accepted: number;
  /** Count per problem kind (0 when none). */
  counts: Record<ProblemKind, number>;
  /** Details of the kinds that occurred. */
  problems: Partial<Record<ProblemKind, ProblemReport>>;
  last_seen: string;
}

const SAMPLE_CHARS = 500;

/** The diagnostics registry. */
export class Diagnostics {
  readonly #senders = new Map<string, SenderReport>();
  readonly #maxSenders: number;
  #last: SenderReport | undefined;
  /** When #last was last seen (the map below holds the others'). */
  #lastSeenAt = 0;
  /** Epoch ms per sender; rendered as ISO only when reported. */
  readonly #lastSeen = new WeakMap<SenderReport, number>();

  constructor(maxSenders = 1000) {
    this.#maxSenders = maxSenders;
  }

  #sender(name: string): SenderReport {
    // Fast path: a busy sender sends datagram after datagram; it is already the most recent.
    if (this.#last?.sender === name) {
      this.#lastSeenAt = Date.now();
      return this.#last;
    }
    if (this.#last !== undefined) this.#lastSeen.set(this.#last, this.#lastSeenAt);
    const now = Date.now();
    let s = this.#senders.get(name);
    if (s === undefined) {
      s = { sender: name, received: 0, accepted: 0, counts: Object.fromEntries(problemKinds.map((k) => [k, 0])) as Record<ProblemKind, number>, problems: {}, last_seen: '' };
      if (this.#senders.size >= this.#maxSenders) this.#senders.delete(this.#senders.keys().next().value!);
    } else {
      this.#senders.delete(name); // re-inserted below: the map's order is recency
    }
    this.#senders.set(name, s);
    this.#last = s;
    this.#lastSeenAt = now;
    return s;
  }

  /** Counts one datagram or document received from `sender`. */
  received(sender: string): void {
    this.#sender(sender).received++;
  }

  /** Counts documents accepted from `sender`. */
  accepted(sender: string, n = 1): void {
    this.#sender(sender).accepted += n;
  }

  /** Counts a problem with its sample. */
  problem(sender: string, kind: ProblemKind, detail: string, sample: string | Uint8Array): void {
    const s = this.#sender(sender);
    s.counts[kind]++;
    const text = typeof sample === 'string' ? sample : Buffer.from(sample.subarray(0, SAMPLE_CHARS * 4)).toString('utf8');
    const shown = text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}… (${text.length} characters)` : text;
    s.problems[kind] = { count: s.counts[kind], sample: shown, detail, fix: fixes[kind], last_at: new Date().toISOString() };
  }

  /** Every sender, most recently seen first. */
  report(): SenderReport[] {
    const seen = (s: SenderReport) => (s === this.#last ? this.#lastSeenAt : (this.#lastSeen.get(s) ?? 0));
    return [...this.#senders.values()].reverse().map((s) => ({ ...s, last_seen: new Date(seen(s)).toISOString() }));
  }
}
