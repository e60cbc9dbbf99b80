/** The trace store's shapes, shared by the in-thread store (store.ts) and the threaded one (threaded.ts). */
import type { SqlPrefilter } from '../filter/index.ts';
import type { FilterTrace } from '../model/index.ts';
import type { TraceGraph, TraceRow } from './summary.ts';

/** A validated document ready to store: its ids and the JSON text exactly as received. */
export interface IncomingDocument {
  traceId: string;
  id: string;
  inProgress: boolean;
  /** The document's JSON text as received (stored and served back unchanged). */
  raw: string;
  /** The parsed text, when the caller already has it (saves parsing it again for the summary). */
  parsed?: object;
}

/** Options of openTraceStore. */
export interface TraceStoreOptions {
  /** Keep at most this many traces (oldest start time pruned first). Default 100 000. */
  maxTraces?: number;
  /** Prune traces that received nothing for this long (ms). Default 24 h. */
  retentionMs?: number;
  /** Documents waiting for a commit before new ones are dropped. Default 100 000. */
  maxQueue?: number;
  /** Documents committed per transaction. Default 5 000. */
  batchSize?: number;
  /** Longest a queued document waits for its commit (ms). Default 20. */
  flushDelayMs?: number;
  /** Filter models kept in memory (evaluating a filter needs one per candidate trace). Default 20 000. */
  cacheSize?: number;
  /** Background pruning period (ms); 0 disables the timer. Default 60 s. */
  pruneEveryMs?: number;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
  /** Told the ids of traces retention removed (a threaded store's reader forgets them). */
  onPruned?: (ids: string[]) => void;
}

/** Time window and paging of a listing; times are epoch seconds of the trace start. */
export interface ListQuery {
  since?: number;
  until?: number;
  /** Keyset cursor: only traces strictly older than this (start time, then id). */
  before?: { start: number; id: string };
  /** A filter's SQL prefilter over `traces` (no alias). */
  prefilter?: SqlPrefilter | null;
}

/** Store counters for diagnostics. */
export interface StoreStats {
  traces: number;
  documents: number;
  queued: number;
  dropped: number;
  committed: number;
  pruned: number;
  /** Documents lost to failed writes, and the last failure's message. */
  writeErrors: number;
  lastWriteError: string | null;
}

/** Called after each commit with the summary of each new or updated trace. */
export type TraceListener = (row: TraceRow) => void;

/** What the console's routes, ingest and diagnostics use: the in-thread store or the threaded one (threaded.ts). */
export interface TraceStoreApi {
  enqueue(doc: IncomingDocument): boolean;
  documents(traceId: string): object[] | undefined;
  rawDocuments(traceId: string): string[];
  get(traceId: string): TraceRow | undefined;
  filterTrace(traceId: string): FilterTrace | undefined;
  list(query?: ListQuery): Generator<TraceRow>;
  graphs(since: number, until: number, ids?: readonly string[]): Array<{ id: string; graph: TraceGraph; start: number; end: number }>;
  onTrace(listener: TraceListener): () => void;
  stats(): StoreStats;
  close(): void | Promise<void>;
}
