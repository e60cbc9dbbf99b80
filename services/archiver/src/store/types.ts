/**
 * The archiver's storage interface: routes talk to this, so a PostgreSQL
 * store can be added without touching them.
 */

/** What the caller says about a document. */
export interface ArchiveMeta {
  status: number;
  url: string | null;
  contentType: string | null;
  headers: Record<string, string>;
  traceId: string | null;
}

/** A committed archive. */
export interface ArchiveRecord extends ArchiveMeta {
  id: number;
  size: number;
  /** Hex sha256 of the body. */
  sha256: string;
  /** ISO 8601 time of the commit. */
  archivedAt: string;
  /** Storage handle of the (deduplicated) body. */
  blobId: number;
}

/** Options of a streamed create. */
export interface CreateOptions {
  /** Bodies over this many bytes are refused with `body_too_large` and leave nothing behind. */
  maxBytes: number;
}

/** A query for a page of archives, newest first. */
export interface ListQuery {
  limit: number;
  /** Only archives with an id below this one (the page cursor). */
  beforeId?: number;
  url?: string;
}

/** Observes store operations (the tracing module turns them into sql subsegments). */
export type StoreObserver = <T>(operation: string, statement: string, fn: () => T) => T;

/** Durable storage of archived responses. */
export interface ArchiveStore {
  /** Streams a body in; resolves only after the archive is committed durably. */
  create(meta: ArchiveMeta, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: CreateOptions): Promise<ArchiveRecord>;
  /** Reads one archive's metadata. */
  get(id: number): Promise<ArchiveRecord | undefined>;
  /** Streams body bytes `start..end` (inclusive; defaults to the whole body). */
  readBody(record: ArchiveRecord, start?: number, end?: number): AsyncIterable<Buffer>;
  /** One page of archives, newest first. */
  list(query: ListQuery): Promise<ArchiveRecord[]>;
  /** True when the database answers and takes writes. */
  ping(): Promise<boolean>;
  /** Why writes fail right now (disk full, database gone), for /health; undefined when they do not. */
  problem?(): string | undefined;
  /** Waits for pending writes and closes. */
  close(): Promise<void>;
}
