/**
 * Problems only time reveals: an independent subsegment whose parent never arrives, and an
 * in-progress document never completed. Each is watched for a settling period, then checked
 * against the store once; bounded, so a flood of subsegments cannot grow it without limit.
 */
import type { TraceStoreApi } from '../store/store.ts';
import { RecentMap, type Diagnostics } from './diagnostics.ts';

interface Watch {
  kind: 'orphan_subsegment' | 'in_progress';
  sender: string;
  traceId: string;
  /** The awaited parent id (orphan) or the in-progress document's id. */
  id: string;
  sample: string;
  due: number;
}

/** Watches documents for a settling period and reports those still unresolved. */
export class SettleWatch {
  readonly #store: TraceStoreApi;
  readonly #diagnostics: Diagnostics;
  readonly #settleMs: number;
  readonly #max: number;
  readonly #queue: Watch[] = [];
  readonly #timer: NodeJS.Timeout;
  /** When each recent trace's first document arrived (bounded, oldest forgotten first). */
  readonly #firstSeen: RecentMap<string, number>;

  constructor(store: TraceStoreApi, diagnostics: Diagnostics, settleMs: number, max = 20_000) {
    this.#store = store;
    this.#diagnostics = diagnostics;
    this.#settleMs = settleMs;
    this.#max = max;
    this.#firstSeen = new RecentMap(max);
    this.#timer = setInterval(() => this.check(), Math.max(50, Math.min(5_000, settleMs / 4)));
    this.#timer.unref();
  }

  /** Watches a just-accepted document if it needs a later look. */
  watch(sender: string, traceId: string, doc: Record<string, unknown>, text: string): void {
    const now = Date.now();
    const first = this.#firstSeen.get(traceId);
    if (first === undefined) this.#firstSeen.set(traceId, now);
    else if (now - first > this.#settleMs) {
      this.#diagnostics.traceEvent(traceId, {
        kind: 'late',
        sender,
        id: doc.id as string,
        service: doc.name as string,
        detail: `${doc.type === 'subsegment' ? 'subsegment' : 'segment'} ${String(doc.id)} arrived ${now - first} ms after the trace's first document, past the ${this.#settleMs} ms settle window`,
      });
    }
    if (this.#queue.length >= this.#max) return; // best effort: diagnostics must never cost memory without bound
    const due = now + this.#settleMs;
    const sample = text.length > 500 ? text.slice(0, 500) : text;
    if (doc.type === 'subsegment') this.#queue.push({ kind: 'orphan_subsegment', sender, traceId, id: doc.parent_id as string, sample, due });
    if (doc.in_progress === true) this.#queue.push({ kind: 'in_progress', sender, traceId, id: doc.id as string, sample, due });
  }

  /** Checks every watch that is due (the timer calls this; tests may too). */
  check(now = Date.now()): void {
    try {
      this.#check(now);
    } catch {
      // a store that cannot be read now (closing, locked) is checked again on the next tick
    }
  }

  #check(now: number): void {
    let i = 0;
    const byTrace = new Map<string, Map<string, Record<string, unknown>>>();
    while (i < this.#queue.length && this.#queue[i]!.due <= now) {
      const w = this.#queue[i++]!;
      let entities = byTrace.get(w.traceId);
      if (entities === undefined) byTrace.set(w.traceId, (entities = indexEntities(this.#store.documents(w.traceId) ?? [])));
      const found = entities.get(w.id);
      if (w.kind === 'orphan_subsegment' && found === undefined) {
        this.#diagnostics.problem(w.sender, 'orphan_subsegment', `no segment or subsegment ${w.id} arrived in trace ${w.traceId} within ${this.#settleMs} ms`, w.sample, w.traceId);
      } else if (w.kind === 'in_progress' && found?.in_progress === true) {
        this.#diagnostics.problem(w.sender, 'in_progress', `document ${w.id} of trace ${w.traceId} is still in progress after ${this.#settleMs} ms`, w.sample, w.traceId, w.id);
      }
    }
    this.#queue.splice(0, i);
  }

  /** Stops the timer. */
  close(): void {
    clearInterval(this.#timer);
  }
}

/** Every segment and subsegment (embedded too) of a trace by id. */
function indexEntities(docs: object[]): Map<string, Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  const walk = (doc: Record<string, unknown>) => {
    if (typeof doc.id === 'string') byId.set(doc.id, doc);
    if (Array.isArray(doc.subsegments)) for (const s of doc.subsegments) if (s && typeof s === 'object') walk(s as Record<string, unknown>);
  };
  for (const d of docs) walk(d as Record<string, unknown>);
  return byId;
}
