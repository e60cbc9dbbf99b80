/**
 * The archive store on node:sqlite: WAL, synchronous FULL, group commit.
 * Bodies stream in as fixed-size chunks of a pending blob; the commit that
 * makes an archive visible also settles the blob (or drops it for an
 * identical one already stored), so a crash leaves only pending rows,
 * which the next start removes. A body of one chunk is a single commit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { appError } from '../../shared/errors.ts';
import { chunkBody, readChunks } from './chunker.ts';
import { migrate, removePendingBlobs } from './schema.ts';
import { SELECT_ARCHIVE, toRecord, type ArchiveRow } from './rows.ts';
import type { ArchiveMeta, ArchiveRecord, ArchiveStore, CreateOptions, ListQuery } from './types.ts';
import { BatchWriter } from './writer.ts';

/** The statement each traced operation is known by (spans carry these, never values). */
export const sqliteStatements = {
  create: 'INSERT INTO archives (blob_id, status, url, content_type, headers, trace_id, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
  get: 'SELECT a.*, b.sha256, b.size FROM archives a JOIN blobs b ON b.id = a.blob_id WHERE a.id = ?',
  readBody: 'SELECT data FROM chunks WHERE blob_id = ? AND seq = ?',
  list: 'SELECT a.*, b.sha256, b.size FROM archives a JOIN blobs b ON b.id = a.blob_id WHERE a.id < ? ORDER BY a.id DESC LIMIT ?',
} as const;

/** Opens (creating if needed) the SQLite archive store at `path` (`:memory:` for tests). */
export function openSqliteStore(path: string): ArchiveStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000');
  migrate(db);
  removePendingBlobs(db);
  return new SqliteStore(db);
}

class SqliteStore implements ArchiveStore {
  readonly #db: DatabaseSync;
  readonly #writer: BatchWriter;
  readonly #s: Record<string, StatementSync>;
  #closed = false;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#writer = new BatchWriter(db);
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      newBlob: p('INSERT INTO blobs (pending) VALUES (1)'),
      chunk: p('INSERT INTO chunks (blob_id, seq, data) VALUES (?, ?, ?)'),
      blobBySha: p('SELECT id FROM blobs WHERE sha256 = ? AND pending = 0'),
      settleBlob: p('UPDATE blobs SET sha256 = ?, size = ?, pending = 0 WHERE id = ?'),
      dropChunks: p('DELETE FROM chunks WHERE blob_id = ?'),
      dropBlob: p('DELETE FROM blobs WHERE id = ? AND pending = 1'),
      insert: p(sqliteStatements.create),
      get: p(`${SELECT_ARCHIVE} WHERE a.id = ?`),
      readChunk: p('SELECT data FROM chunks WHERE blob_id = ? AND seq = ?'),
      page: p(`${SELECT_ARCHIVE} WHERE a.id < ? ORDER BY a.id DESC LIMIT ?`),
      pageByUrl: p(`${SELECT_ARCHIVE} WHERE a.url = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?`),
      ping: p('SELECT 1 AS ok'),
    };
  }

  async create(meta: ArchiveMeta, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: CreateOptions): Promise<ArchiveRecord> {
    this.#assertOpen();
    const s = this.#s;
    // A body that fits in one chunk costs one commit; a longer one a commit per chunk, the
    // first creating its pending blob and the last settling it with the archive row.
    let blobId: number | undefined;
    try {
      const { sha256, size, chunks: seq, last } = await chunkBody(body, options.maxBytes, async (chunk, index) => {
        const known = blobId;
        blobId = await this.#writer.write(() => {
          const id = known ?? Number(s.newBlob!.run().lastInsertRowid);
          s.chunk!.run(id, index, chunk);
          return id;
        });
      });
      const archivedAt = new Date().toISOString();
      const pending = blobId;
      return await this.#writer.write(() => {
        const existing = s.blobBySha!.get(sha256) as { id: number } | undefined;
        let useBlob: number;
        if (existing) {
          // Identical bytes are stored once: this upload's chunks go, the stored blob is shared.
          if (pending !== undefined) {
            s.dropChunks!.run(pending);
            s.dropBlob!.run(pending);
          }
          useBlob = Number(existing.id);
        } else {
          useBlob = pending ?? Number(s.newBlob!.run().lastInsertRowid);
          if (last) s.chunk!.run(useBlob, seq, last);
          s.settleBlob!.run(sha256, size, useBlob);
        }
        const row = s.insert!.get(useBlob, meta.status, meta.url, meta.contentType, JSON.stringify(meta.headers), meta.traceId, archivedAt) as {
          id: number;
        };
        return { ...meta, id: Number(row.id), blobId: useBlob, size, sha256, archivedAt };
      });
    } catch (err) {
      // Nothing of a failed upload may stay behind; if this cleanup fails too, the next start removes it.
      const pending = blobId;
      if (pending !== undefined && !this.#closed) {
        await this.#writer
          .write(() => {
            s.dropChunks!.run(pending);
            s.dropBlob!.run(pending);
          })
          .catch(() => undefined);
      }
      throw err;
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

  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      return (this.#s.ping!.get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#writer.drained();
    this.#closed = true;
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw appError('unavailable', 'the archive store is closed');
  }
}
