/**
 * The store's writer thread: owns the write connection, commits the documents the main
 * thread posts (one transaction per message), recomputes summaries, runs retention, and
 * posts back what changed. Keeping SQLite and the summary work here leaves the main thread
 * free to drain the UDP socket, so bursts queue in memory instead of overflowing the kernel.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openTraceStore, type TraceStore } from './store.ts';
import type { TraceRow } from './summary.ts';
import type { TraceStoreOptions } from './types.ts';

/** Messages to the writer. */
export type ToWriter = { type: 'docs'; raws: string[] } | { type: 'close' };

/** Rows stored, as the writer keeps count. */
export type Counts = ReturnType<TraceStore['rowCounts']>;

/** Messages from the writer. */
export type FromWriter =
  | { type: 'ready'; counts: Counts }
  | { type: 'committed'; count: number; rows: TraceRow[]; counters: ReturnType<TraceStore['counters']>; counts: Counts }
  | { type: 'pruned'; ids: string[]; counters: ReturnType<TraceStore['counters']>; counts: Counts }
  | { type: 'closed' };

// Below the receiving thread: under a burst the CPU goes to draining the socket, and the
// writer catches up from the queue afterwards. (On Linux this renices this thread only.)
try {
  setPriority(10);
} catch {
  // not permitted here: equal priority still works, bursts just lose more
}

const port = parentPort!;
const { path, options } = workerData as { path: string; options: TraceStoreOptions };
const post = (msg: FromWriter) => port.postMessage(msg);
const store = openTraceStore(path, { ...options, onPruned: (ids) => post({ type: 'pruned', ids, counters: store.counters(), counts: store.rowCounts() }) });
let rows: TraceRow[] = [];
store.onTrace((row) => rows.push(row));

port.on('message', (msg: ToWriter) => {
  if (msg.type === 'close') {
    store.close();
    post({ type: 'closed' });
    port.close();
    return;
  }
  // Only the texts cross threads (cloning objects costs more); they were validated before posting.
  for (const raw of msg.raws) {
    let parsed: { trace_id: string; id: string; in_progress?: boolean };
    try {
      parsed = JSON.parse(raw);
    } catch {
      continue; // cannot happen for validated input; never worth the writer thread
    }
    store.enqueue({ traceId: parsed.trace_id, id: parsed.id, inProgress: parsed.in_progress === true, raw, parsed });
  }
  try {
    store.flush();
  } catch {
    // counted in the store's writeErrors and reported below; the next batch may succeed
  }
  post({ type: 'committed', count: msg.raws.length, rows, counters: store.counters(), counts: store.rowCounts() });
  rows = [];
});
post({ type: 'ready', counts: store.rowCounts() });
