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
  /** Service names of the documents accepted from it (the first few). */
  services: string[];
  /** Count per problem kind (0 when none). */
  counts: Record<ProblemKind, number>;
  /** Details of the kinds that occurred. */
  problems: Partial<Record<ProblemKind, ProblemReport>>;
  /** ISO times of the first and latest datagram or document. */
  first_seen: string;
  last_seen: string;
  /** Received per minute since first seen (over at least one minute). */
  per_minute: number;
}

/** Something that happened to one trace id at ingest: refused, unsampled, late. */
export interface TraceEvent {
  /** A refusal's problem kind, `unsampled` (spans sent as not sampled) or `late` (after the settle window). */
  kind: ProblemKind | 'unsampled' | 'late';
  sender: string;
  /** Document id, when one could be read. */
  id?: string;
  /** Service (document name) the event concerns, when known. */
  service?: string;
  /** For `unsampled`: the span's parent span id (the caller's subsegment). */
  parent?: string;
  detail: string;
  at: string;
}

/** X-Ray trace ids mentioned in a text: `"trace_id": "..."` fields and `Root=` header values. */
export function traceIdsIn(text: string): string[] {
  const ids = new Set<string>();
  const head = text.length > 8192 ? text.slice(0, 8192) : text;
  for (const m of head.matchAll(/"trace_id"\s*:\s*"([^"]{1,64})"|Root=(1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24})/g)) {
    ids.add((m[1] ?? m[2])!);
    if (ids.size >= 4) break;
  }
  return [...ids];
}

const MAX_SERVICES = 8;

/**
 * A map that keeps about the `max` most recently added keys, in two generations: when the
 * newer one fills, the older is dropped whole. O(1) per operation, unlike deleting a Map's
 * oldest key one at a time (V8 then skips the deleted slots on every `keys().next()`).
 */
export class RecentMap<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #half: number;

  constructor(max: number) {
    this.#half = Math.max(1, Math.floor(max / 2));
  }

  get(key: K): V | undefined {
    return this.#young.get(key) ?? this.#old.get(key);
  }

  set(key: K, value: V): void {
    if (!this.#young.has(key) && this.#young.size >= this.#half) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
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

  /** Epoch ms each sender was first seen. */
  readonly #firstSeen = new WeakMap<SenderReport, number>();
  /** What happened to each trace id at ingest, most recent traces last; bounded in traces and events per trace. */
  readonly #traces: RecentMap<string, TraceEvent[]>;
  static readonly eventsPerTrace = 20;

  constructor(maxSenders = 1000, maxTraces = 5000) {
    this.#maxSenders = maxSenders;
    this.#traces = new RecentMap(maxTraces);
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
      s = { sender: name, received: 0, accepted: 0, services: [], counts: Object.fromEntries(problemKinds.map((k) => [k, 0])) as Record<ProblemKind, number>, problems: {}, first_seen: '', last_seen: '', per_minute: 0 };
      this.#firstSeen.set(s, now);
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
  accepted(sender: string, n = 1, service?: string): void {
    const s = this.#sender(sender);
    s.accepted += n;
    if (service !== undefined && s.services.length < MAX_SERVICES && !s.services.includes(service)) s.services.push(service);
  }

  /** Records an event of one trace id (bounded: the traces first recorded longest ago are forgotten first). */
  traceEvent(traceId: string, event: Omit<TraceEvent, 'at'>): void {
    let list = this.#traces.get(traceId);
    if (list === undefined) this.#traces.set(traceId, (list = []));
    if (list.length >= Diagnostics.eventsPerTrace) list.shift();
    list.push({ ...event, at: new Date().toISOString() });
  }

  /** The events recorded for a trace id, oldest first. */
  traceEvents(traceId: string): TraceEvent[] {
    return [...(this.#traces.get(traceId) ?? [])];
  }

  /** Counts a problem with its sample, and records it against the trace ids the sample mentions (or `traceId`). */
  problem(sender: string, kind: ProblemKind, detail: string, sample: string | Uint8Array, traceId?: string, id?: string): void {
    const s = this.#sender(sender);
    s.counts[kind]++;
    const text = typeof sample === 'string' ? sample : Buffer.from(sample.subarray(0, 8192)).toString('utf8');
    const service = /"name"\s*:\s*"([^"]{1,200})"/.exec(text.slice(0, 8192))?.[1];
    for (const trace of traceId !== undefined ? [traceId] : traceIdsIn(text)) this.traceEvent(trace, { kind, sender, id: id ?? /"id"\s*:\s*"([^"]{1,64})"/.exec(text.slice(0, 8192))?.[1], service, detail });
    const shown = text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}… (${text.length} characters)` : text;
    s.problems[kind] = { count: s.counts[kind], sample: shown, detail, fix: fixes[kind], last_at: new Date().toISOString() };
  }

  /** Every sender, most recently seen first. */
  report(): SenderReport[] {
    const seen = (s: SenderReport) => (s === this.#last ? this.#lastSeenAt : (this.#lastSeen.get(s) ?? 0));
    return [...this.#senders.values()].reverse().map((s) => {
      const last = seen(s);
      const first = this.#firstSeen.get(s) ?? last;
      const minutes = Math.max(1, (last - first) / 60_000);
      return { ...s, services: [...s.services], first_seen: new Date(first).toISOString(), last_seen: new Date(last).toISOString(), per_minute: Math.round((s.received / minutes) * 10) / 10 };
    });
  }
}
