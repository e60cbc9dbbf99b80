/**
 * The archive store on PostgreSQL (`--db postgres://user:pass@host:5432/db`): the same
 * schema and rules as the SQLite store. A body that fits in one chunk is one transaction;
 * a longer one commits each chunk of a pending blob, and the transaction that makes the
 * archive visible also settles the blob (or drops it for an identical one already stored),
 * so a crash leaves only pending rows, which the next start removes. A 201 follows the
 * COMMIT, which PostgreSQL makes durable (synchronous_commit, the default).
 */
import pg from 'pg';
import { AppError, appError } from '@tfa/service-kit/errors';
import { chunkBody, readChunks } from '../chunker.ts';
import { SELECT_ARCHIVE, toRecord, type ArchiveRow } from '../rows.ts';
import type { ArchiveMeta, ArchiveRecord, ArchiveStore, CreateOptions, ListQuery } from '../types.ts';

/** The statement each traced operation is known by (spans carry these, never values). */
export const postgresStatements = {
  create: 'INSERT INTO archives (blob_id, status, url, content_type, headers, trace_id, archived_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
  get: 'SELECT a.*, b.sha256, b.size FROM archives a JOIN blobs b ON b.id = a.blob_id WHERE a.id = $1',
  readBody: 'SELECT data FROM chunks WHERE blob_id = $1 AND seq = $2',
  list: 'SELECT a.*, b.sha256, b.size FROM archives a JOIN blobs b ON b.id = a.blob_id WHERE a.id < $1 ORDER BY a.id DESC LIMIT $2',
} as const;

const migrations: string[] = [
  // 1: archives, deduplicated blobs, chunked bodies (as the SQLite schema 1)
  `CREATE TABLE blobs (
     id BIGSERIAL PRIMARY KEY,
     sha256 TEXT UNIQUE,
     size BIGINT NOT NULL DEFAULT 0,
     pending BOOLEAN NOT NULL DEFAULT TRUE
   );
   CREATE TABLE chunks (
     blob_id BIGINT NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,
     seq INTEGER NOT NULL,
     data BYTEA NOT NULL,
     PRIMARY KEY (blob_id, seq)
   );
   CREATE TABLE archives (
     id BIGSERIAL PRIMARY KEY,
     blob_id BIGINT NOT NULL REFERENCES blobs(id),
     status INTEGER NOT NULL,
     url TEXT,
     content_type TEXT,
     headers TEXT NOT NULL DEFAULT '{}',
     trace_id TEXT,
     archived_at TEXT NOT NULL
   );
   CREATE INDEX archives_url ON archives(url, id);`,
];

/** True for the URLs this store takes. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/** The URL without its password, for logs and spans. */
export function redactPostgresUrl(db: string): string {
  try {
    const u = new URL(db);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return 'postgres://(unparsable)';
  }
}

/** Connects, migrates and cleans up after crashes; throws a one-line Error when it cannot. */
export async function openPostgresStore(url: string, options: { maxConnections?: number; timeoutMs?: number } = {}): Promise<ArchiveStore> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: timeoutMs,
    // Every statement is bounded too (a 256 KiB chunk is far below this).
    statement_timeout: 30_000,
    query_timeout: 35_000,
    idleTimeoutMillis: 30_000,
    application_name: 'archiver',
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    await migrate(pool);
    await pool.query('DELETE FROM blobs WHERE pending');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`PostgreSQL at ${redactPostgresUrl(url)}: ${(err as Error).message}`);
  }
  return new PostgresStore(pool);
}

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One archiver migrates at a time; the others wait here, then find the work done.
    await client.query('SELECT pg_advisory_xact_lock(7461020)');
    await client.query('CREATE TABLE IF NOT EXISTS archiver_schema (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM archiver_schema');
    const current = rows[0]?.version ?? 0;
    if (current > migrations.length) throw new Error(`database schema version ${current} is newer than this archiver (${migrations.length}); upgrade the archiver`);
    for (let v = current; v < migrations.length; v++) await client.query(migrations[v]!);
    if (rows.length === 0) await client.query('INSERT INTO archiver_schema (version) VALUES ($1)', [migrations.length]);
    else await client.query('UPDATE archiver_schema SET version = $1', [migrations.length]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

class PostgresStore implements ArchiveStore {
  readonly #pool: pg.Pool;
  #closed = false;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async create(meta: ArchiveMeta, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: CreateOptions): Promise<ArchiveRecord> {
    this.#assertOpen();
    const pool = this.#pool;
    let blobId: number | undefined;
    try {
      const { sha256, size, chunks, last } = await chunkBody(body, options.maxBytes, async (chunk, seq) => {
        blobId ??= Number((await this.#query<{ id: string }>('INSERT INTO blobs DEFAULT VALUES RETURNING id', [])).rows[0]!.id);
        await this.#query('INSERT INTO chunks (blob_id, seq, data) VALUES ($1, $2, $3)', [blobId, seq, chunk]);
      });
      const archivedAt = new Date().toISOString();
      return await this.#transaction(async (client) => {
        // Uploads of identical bytes settle one at a time, so exactly one keeps its blob.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [sha256]);
        const existing = await client.query<{ id: string }>('SELECT id FROM blobs WHERE sha256 = $1 AND NOT pending', [sha256]);
        let useBlob: number;
        if (existing.rows.length > 0) {
          // Identical bytes are stored once: this upload's chunks go, the stored blob is shared.
          if (blobId !== undefined) await client.query('DELETE FROM blobs WHERE id = $1 AND pending', [blobId]);
          useBlob = Number(existing.rows[0]!.id);
        } else {
          useBlob = blobId ?? Number((await client.query<{ id: string }>('INSERT INTO blobs DEFAULT VALUES RETURNING id')).rows[0]!.id);
          if (last !== undefined) await client.query('INSERT INTO chunks (blob_id, seq, data) VALUES ($1, $2, $3)', [useBlob, chunks, last]);
          await client.query('UPDATE blobs SET sha256 = $1, size = $2, pending = FALSE WHERE id = $3', [sha256, size, useBlob]);
        }
        const row = await client.query<{ id: string }>(postgresStatements.create, [useBlob, meta.status, meta.url, meta.contentType, JSON.stringify(meta.headers), meta.traceId, archivedAt]);
        return { ...meta, id: Number(row.rows[0]!.id), blobId: useBlob, size, sha256, archivedAt };
      });
    } catch (err) {
      // Nothing of a failed upload may stay behind; if this cleanup fails too, the next start removes it.
      if (blobId !== undefined) await pool.query('DELETE FROM blobs WHERE id = $1 AND pending', [blobId]).catch(() => undefined);
      throw err;
    }
  }

  async get(id: number): Promise<ArchiveRecord | undefined> {
    this.#assertOpen();
    const { rows } = await this.#query<ArchiveRow>(`${SELECT_ARCHIVE} WHERE a.id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  readBody(record: ArchiveRecord, start = 0, end = record.size - 1): AsyncIterable<Buffer> {
    return readChunks(`archive ${record.id}`, record.size, start, end, async (seq) => {
      this.#assertOpen();
      const { rows } = await this.#query<{ data: Buffer }>(postgresStatements.readBody, [record.blobId, seq]);
      return rows[0]?.data;
    });
  }

  async list(query: ListQuery): Promise<ArchiveRecord[]> {
    this.#assertOpen();
    const before = query.beforeId ?? Number.MAX_SAFE_INTEGER;
    const { rows } =
      query.url !== undefined
        ? await this.#query<ArchiveRow>(`${SELECT_ARCHIVE} WHERE a.url = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3`, [query.url, before, query.limit])
        : await this.#query<ArchiveRow>(`${SELECT_ARCHIVE} WHERE a.id < $1 ORDER BY a.id DESC LIMIT $2`, [before, query.limit]);
    return rows.map(toRecord);
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      return (await this.#pool.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok === 1;
    } catch {
      return false;
    }
  }

  /** Stops new work; statements running now finish first (the pool waits for its clients). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #query<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(sql, params);
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** Runs `fn` in one transaction; any database failure comes out as `unavailable`. */
  async #transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
    // A checked-out client has no pool listener: a server restart between two of its queries
    // emits 'error' on it, which would crash the process. The failed query reports it instead.
    let broken: Error | undefined;
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      broken ??= err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw unavailable(err);
    } finally {
      client.off('error', onError);
      // A client whose transaction failed is discarded, not handed to the next request.
      client.release(broken);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw appError('unavailable', 'the archive store is closed');
  }
}

/** A database failure becomes `unavailable` (503), its cause kept for the log; our own errors pass. */
function unavailable(err: unknown): unknown {
  if (err instanceof AppError) return err;
  return appError('unavailable', 'the archive database is not answering', { cause: err });
}
