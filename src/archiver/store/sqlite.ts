/**
 * The archive store on node:sqlite: WAL, synchronous FULL, group commit.
 * Bodies stream in as fixed-size chunks of a pending blob; the commit that
 * makes an archive visible also settles the blob (or drops it for an
 * identical one already stored), so a crash leaves only pending rows,
 * which the next start removes. A body of one chunk is a single commit.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { appError } from '../../shared/errors.ts';
import { noteStreamed } from '../../shared/memory.ts';
import { CHUNK_SIZE, migrate, removePendingBlobs } from './schema.ts';
import type { ArchiveMeta, ArchiveRecord, ArchiveStore, CreateOptions, ListQuery } from './types.ts';
import { BatchWriter } from './writer.ts';

interface Row {
  id: number;
  blob_id: number;
  status: number;
  url: string | null;
  content_type: string | null;
  headers: string;
  trace_id: string | null;
  archived_at: string;
  sha256: string;
  size: number;
}

/** The statement each traced operation is known by (spans carry these, never values). */
export const sqliteStatements = {
  create: 'INSERT INTO archives (blob_id, status, url, content_type, headers, trace_id, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
  get: 'SELECT a.*, b.sha256, b.size FROM archives a JOIN blobs b ON b.id = a.blob_id WHERE a.id = ?',
  readBody: 'SELECT data FROM chunks WHERE blob_id = ? AND seq = ?',
  list: 'SELECT a.*, b.sha256, b.size FROM archives a JOIN blobs b ON b.id = a.blob_id WHERE a.id < ? ORDER BY a.id DESC LIMIT ?',
} as const;

const SELECT = `SELECT a.id, a.blob_id, a.status, a.url, a.content_type, a.headers, a.trace_id, a.archived_at, b.sha256, b.size
  FROM archives a JOIN blobs b ON b.id = a.blob_id`;

function toRecord(r: Row): ArchiveRecord {
  return {
    id: Number(r.id),
    blobId: Number(r.blob_id),
    status: r.status,
    url: r.url,
    contentType: r.content_type,
    headers: JSON.parse(r.headers) as Record<string, string>,
    traceId: r.trace_id,
    archivedAt: r.archived_at,
    sha256: r.sha256,
    size: Number(r.size),
  };
}

// Staging buffers for bodies longer than one chunk, reused across uploads: allocating a fresh
// 256 KiB buffer per upload is external memory V8 collects late (RSS) and often (GC time).
const freeStaging: Buffer[] = [];
const MAX_FREE_STAGING = 4;

function takeStaging(): Buffer {
  return freeStaging.pop() ?? Buffer.allocUnsafeSlow(CHUNK_SIZE);
}

function releaseStaging(buf: Buffer): void {
  if (freeStaging.length < MAX_FREE_STAGING) freeStaging.push(buf);
}

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
      get: p(`${SELECT} WHERE a.id = ?`),
      readChunk: p('SELECT data FROM chunks WHERE blob_id = ? AND seq = ?'),
      page: p(`${SELECT} WHERE a.id < ? ORDER BY a.id DESC LIMIT ?`),
      pageByUrl: p(`${SELECT} WHERE a.url = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?`),
      ping: p('SELECT 1 AS ok'),
    };
  }

  async create(meta: ArchiveMeta, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: CreateOptions): Promise<ArchiveRecord> {
    this.#assertOpen();
    const s = this.#s;
    // A body that fits in one chunk costs one commit; a longer one a commit per chunk, the
    // first creating its pending blob and the last settling it with the archive row.
    let blobId: number | undefined;
    let staging: Buffer | undefined;
    try {
      const hash = createHash('sha256');
      let size = 0;
      let seq = 0;
      // A body shorter than one chunk is kept as the pieces that arrived (no copy); a longer
      // one is copied chunk by chunk into a staging buffer from a small pool, so the body's
      // memory cost is one chunk and no garbage grows with the document (SQLite copies the
      // blob when it binds).
      const pieces: Buffer[] = [];
      let filled = 0;
      for await (const piece of body) {
        const part = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        size += part.length;
        if (size > options.maxBytes) throw appError('body_too_large', `the body is larger than the limit of ${options.maxBytes} bytes`);
        hash.update(part);
        noteStreamed(part.length);
        if (staging === undefined) {
          if (filled + part.length < CHUNK_SIZE) {
            pieces.push(part);
            filled += part.length;
            continue;
          }
          staging = takeStaging();
          filled = 0;
          for (const p of pieces) filled += p.copy(staging, filled);
          pieces.length = 0;
        }
        let offset = 0;
        while (offset < part.length) {
          const n = part.copy(staging, filled, offset);
          filled += n;
          offset += n;
          if (filled === CHUNK_SIZE) {
            const index = seq++;
            const known = blobId;
            const chunk = staging;
            blobId = await this.#writer.write(() => {
              const id = known ?? Number(s.newBlob!.run().lastInsertRowid);
              s.chunk!.run(id, index, chunk);
              return id;
            });
            filled = 0;
          }
        }
      }
      const sha256 = hash.digest('hex');
      const archivedAt = new Date().toISOString();
      const last = filled === 0 ? undefined : staging !== undefined ? staging.subarray(0, filled) : pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, filled);
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
    } finally {
      if (staging !== undefined) releaseStaging(staging);
    }
  }

  async get(id: number): Promise<ArchiveRecord | undefined> {
    this.#assertOpen();
    const row = this.#s.get!.get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  async *readBody(record: ArchiveRecord, start = 0, end = record.size - 1): AsyncIterable<Buffer> {
    if (record.size === 0 || end < start) return;
    for (let seq = Math.floor(start / CHUNK_SIZE); seq <= Math.floor(end / CHUNK_SIZE); seq++) {
      this.#assertOpen();
      const row = this.#s.readChunk!.get(record.blobId, seq) as { data: Uint8Array } | undefined;
      if (!row) throw new Error(`archive ${record.id}: chunk ${seq} is missing`);
      noteStreamed(row.data.byteLength);
      const base = seq * CHUNK_SIZE;
      const data = Buffer.from(row.data.buffer, row.data.byteOffset, row.data.byteLength);
      const from = Math.max(0, start - base);
      const to = Math.min(data.length, end - base + 1);
      yield from === 0 && to === data.length ? data : data.subarray(from, to);
    }
  }

  async list(query: ListQuery): Promise<ArchiveRecord[]> {
    this.#assertOpen();
    const before = query.beforeId ?? Number.MAX_SAFE_INTEGER;
    const rows = (
      query.url !== undefined ? this.#s.pageByUrl!.all(query.url, before, query.limit) : this.#s.page!.all(before, query.limit)
    ) as unknown as Row[];
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
