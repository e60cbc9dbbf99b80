/**
 * The store as the running console uses it: writes go to a writer thread (worker.ts), reads
 * use a second connection on this thread (WAL lets it read while the writer commits). The
 * main thread only validates and queues, so it keeps draining the UDP socket during a burst;
 * the queue between the threads is bounded and counts what it drops.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { openTraceStore, type TraceStore } from './store.ts';
import type { TraceRow } from './summary.ts';
import type { IncomingDocument, ListQuery, StoreStats, TraceListener, TraceStoreApi, TraceStoreOptions } from './types.ts';
import type { Counts, FromWriter, ToWriter } from './worker.ts';

/** Documents per message to the writer (also its transaction size). */
const POST_BATCH = 2_000;

/** The threaded store. */
export class ThreadedTraceStore implements TraceStoreApi {
  readonly #worker: Worker;
  readonly #reader: TraceStore;
  readonly #maxQueue: number;
  readonly #flushDelayMs: number;
  readonly #listeners = new Set<TraceListener>();
  /** Validated document texts waiting to be posted to the writer. */
  #buffer: string[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #dropped = 0;
  /** Rows stored, as the writer last reported them (the reader never counts). */
  #counts: Counts;
  #threadError: string | null = null;
  /** The writer's counters as of its last commit. */
  #writer: ReturnType<TraceStore['counters']> = { queued: 0, dropped: 0, committed: 0, pruned: 0, writeErrors: 0, lastWriteError: null };

  constructor(worker: Worker, reader: TraceStore, options: TraceStoreOptions, counts: Counts) {
    this.#worker = worker;
    this.#counts = counts;
    this.#reader = reader;
    this.#maxQueue = options.maxQueue ?? 100_000;
    this.#flushDelayMs = options.flushDelayMs ?? 20;
    worker.on('message', (msg: FromWriter) => this.#received(msg));
    // A crashed writer cannot be recovered here; say so in diagnostics rather than die.
    worker.on('error', (err) => (this.#threadError = `writer thread failed: ${err.message}`));
  }

  #received(msg: FromWriter): void {
    if (msg.type === 'committed') {
      this.#inFlight -= msg.count;
      this.#writer = msg.counters;
      this.#counts = msg.counts;
      this.#reader.invalidate(msg.rows.map((r: TraceRow) => r.id));
      for (const row of msg.rows) for (const listener of this.#listeners) listener(row);
    } else if (msg.type === 'pruned') {
      this.#counts = msg.counts;
      this.#writer = msg.counters;
      this.#reader.invalidate(msg.ids);
    }
  }

  /** Queues a document for the writer; false (and counted) when the queue is full. */
  enqueue(doc: IncomingDocument): boolean {
    if (this.#closing || this.#buffer.length + this.#inFlight >= this.#maxQueue) {
      this.#dropped++;
      return false;
    }
    // The writer parses the text itself: cloning the parsed object across threads costs more.
    this.#buffer.push(doc.raw);
    if (this.#buffer.length >= POST_BATCH) this.#post();
    else this.#timer ??= setTimeout(() => this.#post(), this.#flushDelayMs);
    return true;
  }

  #post(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer.length === 0) return;
    const raws = this.#buffer;
    this.#buffer = [];
    this.#inFlight += raws.length;
    this.#worker.postMessage({ type: 'docs', raws } satisfies ToWriter);
  }

  /** Every stored document of a trace (committed ones), as received. */
  documents(traceId: string): object[] | undefined {
    return this.#reader.documents(traceId);
  }

  /** The JSON text of every stored document of a trace. */
  rawDocuments(traceId: string): string[] {
    return this.#reader.rawDocuments(traceId);
  }

  /** A trace's summary row. */
  get(traceId: string): TraceRow | undefined {
    return this.#reader.get(traceId);
  }

  /** A trace's filter model (cached until the writer reports a change). */
  filterTrace(traceId: string) {
    return this.#reader.filterTrace(traceId);
  }

  /** Summary rows newest first. */
  list(query?: ListQuery): Generator<TraceRow> {
    return this.#reader.list(query);
  }

  /** Stored per-trace graphs. */
  graphs(since: number, until: number, ids?: readonly string[]) {
    return this.#reader.graphs(since, until, ids);
  }

  /** Subscribes to new or updated traces (after the writer committed them). */
  onTrace(listener: TraceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Row counts from the reader, queue and counters from both threads. */
  stats(): StoreStats {
    const { traces, documents } = this.#counts;
    const w = this.#writer;
    return {
      traces,
      documents,
      queued: this.#buffer.length + this.#inFlight,
      dropped: this.#dropped + w.dropped,
      committed: w.committed,
      pruned: w.pruned,
      writeErrors: w.writeErrors,
      lastWriteError: this.#threadError ?? w.lastWriteError,
    };
  }

  /** Hands what is queued to the writer, waits for its last commit, closes both connections. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#post();
      const closed = new Promise<void>((resolve) => this.#worker.on('message', (m: FromWriter) => m.type === 'closed' && resolve()));
      this.#worker.postMessage({ type: 'close' });
      await Promise.race([closed, once(this.#worker, 'exit')]);
      await this.#worker.terminate();
      this.#reader.close();
    })();
    return this.#closing;
  }
}

/** Starts the writer thread on `path`, then opens the reader; resolves when both are ready. */
export async function openThreadedTraceStore(path: string, options: TraceStoreOptions = {}): Promise<ThreadedTraceStore> {
  const { onPruned: _onPruned, now: _now, ...cloneable } = options; // functions cannot cross threads
  // The writer never evaluates filters: its copy of the model cache would only hold memory.
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: { path, options: { ...cloneable, cacheSize: 0 } } });
  const ready = await Promise.race([
    new Promise<FromWriter>((resolve) => worker.once('message', resolve)),
    once(worker, 'error').then(([err]) => Promise.reject(err as Error)),
  ]);
  if (ready.type !== 'ready') throw new Error('the store writer did not start');
  // The reader never writes: no retention timer, no queue.
  return new ThreadedTraceStore(worker, openTraceStore(path, { ...options, pruneEveryMs: 0 }), options, ready.counts);
}
