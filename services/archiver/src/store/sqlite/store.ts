/**
 * The archive store on node:sqlite: WAL, synchronous FULL, group commit.
 * Bodies stream in as fixed-size chunks of a pending blob; the commit that
 * makes an archive visible also settles the blob (or drops it for an
 * identical one already stored), so a crash leaves only pending rows,
 * which the next start removes. A body of one chunk is a single commit.
 */
import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { appError } from '@tfa/service-kit/errors';
import { chunkBody, readChunks } from '../chunker.ts';
import { SELECT_ARCHIVE, toRecord, type ArchiveRow } from '../rows.ts';
import { CONNECTION_PRAGMAS, migrate, removePendingBlobs } from '../schema.ts';
import type { FromWriter, ToWriter } from './writer.ts';
import { bytesOf, sqliteWrites, type Finished, type WriteOp } from './writes.ts';
import type { ArchiveMeta, ArchiveRecord, ArchiveStore, CreateOptions, ListQuery } from '../types.ts';
import { BatchWriter } from '../writer.ts';

export { sqliteStatements } from './statements.ts';

/** Where writes go: the writer thread, or (for `:memory:`) a group commit on this thread. */
interface Writes {
  /** Byte arrays of `w` must be its own (not views into shared buffers): the writer thread takes them over. */
  write(w: WriteOp): Promise<unknown>;
  /** False once the writer can take no more writes (its thread died). */
  alive(): boolean;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the SQLite archive store at `path`: migrations and the cleanup
 * of half-written uploads first, then the writer thread; reads stay on this thread's own
 * connection (WAL lets them run beside the writer). `:memory:` (tests) writes on this thread.
 */
export async function openSqliteStore(path: string, options: { writer?: URL } = {}): Promise<ArchiveStore> {
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(CONNECTION_PRAGMAS);
  try {
    migrate(db);
    removePendingBlobs(db);
    return new SqliteStore(db, memory ? localWrites(db) : await writerThread(path, options.writer ?? new URL('./writer.ts', import.meta.url)), memory ? undefined : path);
  } catch (err) {
    db.close();
    throw err;
  }
}

function localWrites(db: DatabaseSync): Writes {
  const writer = new BatchWriter(db);
  const apply = sqliteWrites(db);
  return { write: (w) => writer.write(() => apply(w)), alive: () => true, close: () => writer.drained() };
}

/** Starts the writer thread (`entry`: a test seam); every answer settles the promise of its request id. */
async function writerThread(path: string, entry: URL): Promise<Writes> {
  const worker = new Worker(entry, { workerData: { path } });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let next = 0;
  let broken: Error | undefined;
  const stopped = (cause: Error) => appError('unavailable', 'the archive store writer stopped', { cause });
  const failAll = (err: Error) => {
    broken ??= err;
    for (const w of waiting.values()) w.reject(stopped(err));
    waiting.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: FromWriter) => {
      if ('ready' in m) return resolve();
      const w = waiting.get(m.id);
      if (w === undefined) return;
      waiting.delete(m.id);
      if (m.ok) w.resolve(m.value);
      else w.reject(Object.assign(new Error(m.message), { code: m.code, errcode: m.errcode }));
    });
  });
  await ready;
  // A store someone forgot to close must not keep the process alive.
  worker.unref();
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the writer thread exited (${code})`)));
  const send = (m: ToWriter) =>
    new Promise<unknown>((resolve, reject) => {
      if (broken) return reject(stopped(broken));
      waiting.set(m.id, { resolve, reject });
      // Chunk bytes move to the writer instead of being copied again.
      const bytes = 'write' in m ? bytesOf(m.write) : undefined;
      worker.postMessage(m, bytes === undefined ? [] : [bytes.buffer as ArrayBuffer]);
    });
  return {
    write: (write) => send({ id: next++, write }),
    alive: () => broken === undefined,
    async close() {
      // Ref'd again: at shutdown this reply may be the only thing left to wait for, and an
      // empty event loop would end the process before the last commit is confirmed.
      worker.ref();
      await send({ id: next++, close: true }).catch(() => undefined);
      broken ??= new Error('closed');
      await worker.terminate();
    },
  };
}

/** SQLite's result code for a write the disk had no room for (ENOSPC, or max_page_count reached). */
const SQLITE_FULL = 13;

/** Free bytes on the database's disk from which /health tries writes again after a disk-full (four chunks). */
const FREE_TO_RETRY = 1024 * 1024;

/** A disk-full failure becomes `insufficient_storage` (507); anything else passes unchanged. */
function storageError(err: unknown, path: string | undefined): unknown {
  if ((err as { errcode?: number }).errcode !== SQLITE_FULL) return err;
  const where = path === undefined ? 'the archive database' : `the archive database ${path}`;
  return appError('insufficient_storage', `the disk is full: ${where} cannot grow; stored archives are still served, writes resume once space is freed`, {
    cause: err,
    headers: { 'retry-after': '30' },
  });
}

class SqliteStore implements ArchiveStore {
  readonly #db: DatabaseSync;
  readonly #writes: Writes;
  readonly #s: Record<string, StatementSync>;
  readonly #path: string | undefined;
  #closed = false;
  /** Why writes fail now (the disk is full), until one succeeds or space comes back. */
  #full: string | undefined;

  constructor(db: DatabaseSync, writes: Writes, path?: string) {
    this.#db = db;
    this.#writes = writes;
    this.#path = path;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      get: p(`${SELECT_ARCHIVE} WHERE a.id = ?`),
      readChunk: p('SELECT data FROM chunks WHERE blob_id = ? AND seq = ?'),
      page: p(`${SELECT_ARCHIVE} WHERE a.id < ? ORDER BY a.id DESC LIMIT ?`),
      pageByUrl: p(`${SELECT_ARCHIVE} WHERE a.url = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?`),
      ping: p('SELECT 1 AS ok'),
    };
  }

  async create(meta: ArchiveMeta, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: CreateOptions): Promise<ArchiveRecord> {
    this.#assertOpen();
    // A body that fits in one chunk costs one commit; a longer one a commit per chunk, the
    // first creating its pending blob and the last settling it with the archive row.
    let blobId: number | null = null;
    try {
      const { sha256, size, chunks, last } = await chunkBody(body, options.maxBytes, async (data, seq) => {
        // A copy of its own: `data` is a staging buffer the chunker reuses.
        blobId = (await this.#writes.write({ op: 'chunk', blobId, seq, data: new Uint8Array(data) })) as number;
      });
      const archivedAt = new Date().toISOString();
      // `last` may be a view into a socket's buffer: the writer gets a copy of just its bytes.
      const tail = last === undefined ? null : new Uint8Array(last);
      const done = (await this.#writes.write({ op: 'finish', blobId, seq: chunks, last: tail, sha256, size, meta, archivedAt })) as Finished;
      this.#full = undefined;
      return { ...meta, id: done.id, blobId: done.blobId, size, sha256, archivedAt };
    } catch (err) {
      // Nothing of a failed upload may stay behind; if this cleanup fails too, the next start removes it.
      const pending: number | null = blobId;
      if (pending !== null && !this.#closed) await this.#writes.write({ op: 'drop', blobId: pending }).catch(() => undefined);
      const mapped = storageError(err, this.#path);
      if (mapped !== err) this.#full = (mapped as Error).message;
      throw mapped;
    }
  }

  async get(id: number): Promise<ArchiveRecord | undefined> {
    this.#assertOpen();
    const row = this.#s.get!.get(id) as ArchiveRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  readBody(record: ArchiveRecord, start = 0, end = record.size - 1): AsyncIterable<Buffer> {
    return readChunks(`archive ${record.id}`, record.size, start, end, (seq) => {
      this.#assertOpen();
      return (this.#s.readChunk!.get(record.blobId, seq) as { data: Uint8Array } | undefined)?.data;
    });
  }

  async list(query: ListQuery): Promise<ArchiveRecord[]> {
    this.#assertOpen();
    const before = query.beforeId ?? Number.MAX_SAFE_INTEGER;
    const rows = (
      query.url !== undefined ? this.#s.pageByUrl!.all(query.url, before, query.limit) : this.#s.page!.all(before, query.limit)
    ) as unknown as ArchiveRow[];
    return rows.map(toRecord);
  }

  /** True while both the read connection and the writer answer: /health turns red when writes cannot succeed. */
  async ping(): Promise<boolean> {
    if (this.#closed || !this.#writes.alive()) return false;
    if (this.#full !== undefined && !(await this.#roomAgain())) return false;
    try {
      return (this.#s.ping!.get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  /** Why writes fail, when they do. */
  problem(): string | undefined {
    if (this.#closed) return 'the archive store is closed';
    if (!this.#writes.alive()) return 'the archive store writer stopped';
    return this.#full;
  }

  /** After a disk-full: true (and writes open again) once the disk has room for a few chunks. */
  async #roomAgain(): Promise<boolean> {
    try {
      const fs = await statfs(dirname(this.#path ?? '.'));
      if (fs.bavail * fs.bsize < FREE_TO_RETRY) return false;
    } catch {
      return false;
    }
    this.#full = undefined;
    return true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writes.close();
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw appError('unavailable', 'the archive store is closed');
  }
}
