/**
 * The trace store on node:sqlite. Ingest only queues documents (bounded; drops counted);
 * a flush commits the queue in one transaction and recomputes the summary row of every
 * trace it touched, then tells listeners. Retention prunes by age and count in the
 * background. Reads see committed data only.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { buildFilterTrace, type FilterTrace } from '../model/index.ts';
import { RecentDocuments } from './recent.ts';
import { PRUNE_CHUNK, pruneStep } from './retention.ts';
import { openDatabase, statements } from './schema.ts';
import { parseRow, rowOf, summaryValues, type RawTraceRow, type TraceGraph, type TraceRow } from './summary.ts';
import type { IncomingDocument, ListQuery, StoreStats, TraceListener, TraceStoreApi, TraceStoreOptions } from './types.ts';

export type { IncomingDocument, ListQuery, StoreStats, TraceListener, TraceStoreApi, TraceStoreOptions } from './types.ts';

/** The trace store. */
export class TraceStore implements TraceStoreApi {
  readonly #db: DatabaseSync;
  readonly #s: Record<keyof typeof statements, StatementSync>;
  readonly #opts: Required<TraceStoreOptions>;
  readonly #queue: IncomingDocument[] = [];
  readonly #cache = new Map<string, FilterTrace>();
  readonly #recent = new RecentDocuments(2_000);
  readonly #listeners = new Set<TraceListener>();
  #scheduled = false;
  #closed = false;
  /** Row counts: counted once, then kept up to date by this store's own writes (undefined = count again). */
  #counts: { traces: number; documents: number } | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #stats = { dropped: 0, committed: 0, pruned: 0, writeErrors: 0, lastWriteError: null as string | null };

  constructor(db: DatabaseSync, options: TraceStoreOptions = {}) {
    this.#db = db;
    this.#opts = {
      maxTraces: options.maxTraces ?? 100_000,
      retentionMs: options.retentionMs ?? 24 * 3_600_000,
      maxQueue: options.maxQueue ?? 100_000,
      batchSize: options.batchSize ?? 5_000,
      flushDelayMs: options.flushDelayMs ?? 20,
      cacheSize: options.cacheSize ?? 20_000,
      pruneEveryMs: options.pruneEveryMs ?? 60_000,
      now: options.now ?? Date.now,
      onPruned: options.onPruned ?? (() => {}),
    };
    this.#s = Object.fromEntries(Object.entries(statements).map(([name, sql]) => [name, db.prepare(sql)])) as Record<keyof typeof statements, StatementSync>;
    if (this.#opts.pruneEveryMs > 0) {
      this.#pruneTimer = setInterval(() => this.#pruneInBackground(), this.#opts.pruneEveryMs);
      this.#pruneTimer.unref();
    }
  }

  /** Queues a document for the next commit; false (and counted) when the queue is full. */
  enqueue(doc: IncomingDocument): boolean {
    if (this.#closed || this.#queue.length >= this.#opts.maxQueue) {
      this.#stats.dropped++;
      return false;
    }
    this.#queue.push(doc);
    if (this.#queue.length >= this.#opts.batchSize) {
      setImmediate(() => this.#flushInBackground());
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      // One transaction per short window rather than per datagram: a burst's documents (often
      // several of one trace) share one commit and one summary recomputation per trace.
      setTimeout(() => {
        this.#scheduled = false;
        this.#flushInBackground();
      }, this.#opts.flushDelayMs).unref();
    }
    return true;
  }

  /** A timer's flush: a failed write (disk full, database locked too long) costs that batch, never the process. */
  #flushInBackground(): void {
    try {
      this.flush();
    } catch (err) {
      this.#stats.lastWriteError = writeFailure(err);
    }
  }

  /** Commits queued documents now (in batches) and notifies listeners; throws when a write fails (that batch is dropped and counted). */
  flush(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#queue.splice(0, this.#opts.batchSize);
      const now = this.#opts.now();
      const touched = new Set<string>();
      const rows: TraceRow[] = [];
      this.#db.exec('BEGIN');
      try {
        const counts = this.#counts;
        for (const d of batch) {
          if (counts !== undefined && this.#s.docExists.get(d.traceId, d.id) === undefined) counts.documents++;
          this.#s.upsertDoc.run(d.traceId, d.id, d.inProgress ? 1 : 0, now, d.raw);
          if (this.#recent.has(d.traceId)) this.#recent.apply(d.traceId, d.id, d.parsed ?? (JSON.parse(d.raw) as object), d.inProgress);
          touched.add(d.traceId);
        }
        for (const traceId of touched) rows.push(this.#summarize(traceId, now));
        this.#db.exec('COMMIT');
      } catch (err) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        for (const id of touched) this.#cache.delete(id), this.#recent.forget(id);
        this.#counts = undefined; // the rolled-back increments are in it
        this.#stats.writeErrors += batch.length;
        this.#stats.lastWriteError = writeFailure(err);
        throw err;
      }
      this.#stats.committed += batch.length;
      for (const row of rows) for (const listener of this.#listeners) listener(row);
    }
  }

  /** Recomputes one trace's summary from all its documents (inside the open transaction). */
  #summarize(traceId: string, now: number): TraceRow {
    let docs = this.#recent.documents(traceId);
    if (docs === undefined) {
      const rows = this.#s.docsWithIds.all(traceId) as { id: string; in_progress: number; doc: string }[];
      const loaded = rows.map((r) => ({ id: r.id, inProgress: r.in_progress === 1, doc: JSON.parse(r.doc) as object }));
      this.#recent.load(traceId, loaded);
      docs = loaded.map((d) => d.doc);
    }
    const trace = buildFilterTrace(docs);
    trace.id = traceId;
    this.#remember(traceId, trace);
    const values = summaryValues(trace);
    const { revision } = this.#s.upsertTrace.get(traceId, ...values, docs.length, now) as { revision: number };
    this.#indexAnnotations(traceId, trace.annotations, revision);
    if (revision === 1 && this.#counts !== undefined) this.#counts.traces++;
    return rowOf(traceId, values, docs.length, revision, now);
  }

  /** Rewrites the trace's rows in trace_annotations (the first revision has none to remove). */
  #indexAnnotations(traceId: string, annotations: FilterTrace['annotations'], revision: number): void {
    if (revision > 1) this.#s.deleteAnnotations.run(traceId);
    for (const key of Object.keys(annotations)) {
      for (const v of annotations[key]) {
        if (typeof v === 'number') this.#s.insertAnnotation.run(traceId, key, v, null, null);
        else if (typeof v === 'string') this.#s.insertAnnotation.run(traceId, key, null, v, null);
        else this.#s.insertAnnotation.run(traceId, key, null, null, v ? 1 : 0);
      }
    }
  }

  #documents(traceId: string): object[] {
    return (this.#s.docsOf.all(traceId) as { doc: string }[]).map((r) => JSON.parse(r.doc) as object);
  }

  #remember(traceId: string, trace: FilterTrace): void {
    this.#cache.delete(traceId);
    this.#cache.set(traceId, trace);
    if (this.#cache.size > this.#opts.cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
  }

  /** Every stored document of a trace (newest version of each id), as received; undefined when unknown. */
  documents(traceId: string): object[] | undefined {
    const docs = this.#documents(traceId);
    return docs.length === 0 ? undefined : docs;
  }

  /** The JSON text of every stored document of a trace, as received. */
  rawDocuments(traceId: string): string[] {
    return (this.#s.docsOf.all(traceId) as { doc: string }[]).map((r) => r.doc);
  }

  /** A trace's summary row, or undefined. */
  get(traceId: string): TraceRow | undefined {
    const raw = this.#s.getTrace.get(traceId) as RawTraceRow | undefined;
    return raw === undefined ? undefined : parseRow(raw);
  }

  /** A trace's filter model (cached; built from its documents on a miss). */
  filterTrace(traceId: string): FilterTrace | undefined {
    const hit = this.#cache.get(traceId);
    if (hit !== undefined) return hit;
    const docs = this.#documents(traceId);
    if (docs.length === 0) return undefined;
    const trace = buildFilterTrace(docs);
    trace.id = traceId;
    this.#remember(traceId, trace);
    return trace;
  }

  /** Summary rows newest first (start time, then id), lazily, within the window and prefilter. */
  *list(query: ListQuery = {}): Generator<TraceRow> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (query.since !== undefined) where.push('start_time >= ?'), params.push(query.since);
    if (query.until !== undefined) where.push('start_time <= ?'), params.push(query.until);
    if (query.before !== undefined) {
      where.push('(start_time < ? OR (start_time = ? AND id < ?))');
      params.push(query.before.start, query.before.start, query.before.id);
    }
    if (query.prefilter) where.push(`(${query.prefilter.where})`), params.push(...query.prefilter.params);
    const sql = `SELECT id, start_time, end_time, duration, response_time, http_method, http_url, http_status, ok, error, fault, throttle,
      partial, services, annotations, documents, revision, updated_at FROM traces
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_time DESC, id DESC`;
    for (const raw of this.#db.prepare(sql).iterate(...params)) yield parseRow(raw as unknown as RawTraceRow);
  }

  /** The stored graphs (nodes and calls) of traces starting within the window. */
  graphs(since: number, until: number, ids?: readonly string[]): Array<{ id: string; graph: TraceGraph; start: number; end: number }> {
    const rows = ids
      ? ids.map((id) => this.#db.prepare('SELECT id, graph, start_time, end_time FROM traces WHERE id = ?').get(id)).filter((r) => r !== undefined)
      : this.#db.prepare('SELECT id, graph, start_time, end_time FROM traces WHERE start_time >= ? AND start_time <= ?').all(since, until);
    return (rows as { id: string; graph: string; start_time: number; end_time: number }[]).map((r) => ({ id: r.id, graph: JSON.parse(r.graph) as TraceGraph, start: r.start_time, end: r.end_time }));
  }

  /** Removes traces idle longer than the retention, then the oldest beyond the count limit, all at once. Returns how many went. */
  prune(): number {
    let removed = 0;
    for (let n = this.#pruneStep(); n > 0; n = this.#pruneStep()) removed += n;
    return removed;
  }

  /** One bounded retention step; the number of traces removed. */
  #pruneStep(): number {
    if (this.#closed) return 0;
    const { ids, documents } = pruneStep(this.#db, this.#s, this.#opts.now() - this.#opts.retentionMs, this.#opts.maxTraces);
    for (const id of ids) this.#cache.delete(id), this.#recent.forget(id);
    this.#stats.pruned += ids.length;
    if (this.#counts !== undefined) (this.#counts.traces -= ids.length), (this.#counts.documents -= documents);
    if (ids.length > 0) this.#opts.onPruned(ids);
    return ids.length;
  }

  /** The background retention: steps with the event loop free in between until nothing is left. */
  #pruneInBackground(): void {
    try {
      if (this.#pruneStep() === PRUNE_CHUNK) setImmediate(() => this.#pruneInBackground());
    } catch (err) {
      this.#stats.lastWriteError = writeFailure(err); // retried on the next tick
    }
  }

  /** Subscribes to new or updated traces; returns the unsubscribe function. */
  onTrace(listener: TraceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Counters for /api/diagnostics. */
  stats(): StoreStats {
    return { ...this.rowCounts(), queued: this.#queue.length, ...this.#stats };
  }

  /** Traces and documents stored. count(*) walks the tables, so it runs once; writes keep the numbers current. */
  rowCounts(): { traces: number; documents: number } {
    if (this.#counts === undefined) {
      const c = this.#s.count.get() as { traces: number; documents: number };
      this.#counts = { traces: Number(c.traces), documents: Number(c.documents) };
    }
    return { ...this.#counts };
  }

  /** Forgets what is cached about these traces: another connection changed them. */
  invalidate(traceIds: Iterable<string>): void {
    for (const id of traceIds) this.#cache.delete(id), this.#recent.forget(id);
    this.#counts = undefined;
  }

  /** The counters alone, without counting rows. */
  counters(): Omit<StoreStats, 'traces' | 'documents'> {
    return { queued: this.#queue.length, ...this.#stats };
  }

  /** Commits what is queued and closes the database. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    clearInterval(this.#pruneTimer);
    this.#listeners.clear();
    this.#db.close();
  }
}

/** Opens the store at `path` (`:memory:` for tests), creating the file and tables. */
export function openTraceStore(path: string, options: TraceStoreOptions = {}): TraceStore {
  return new TraceStore(openDatabase(path), options);
}

/** SQLite's result code for a write the disk had no room for (ENOSPC, or max_page_count reached). */
const SQLITE_FULL = 13;

/** What diagnostics say about a failed write: a disk-full is named as such, with what it costs. */
function writeFailure(err: unknown): string {
  if ((err as { errcode?: number }).errcode === SQLITE_FULL) {
    return 'the disk is full: the trace database cannot grow, so incoming documents are dropped (counted in writeErrors) until space is freed; ingest resumes by itself';
  }
  return (err as Error).message;
}
