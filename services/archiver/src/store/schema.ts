/**
 * SQLite schema with forward-only migrations keyed on `PRAGMA user_version`.
 * Bodies live in fixed-size chunks of a blob; identical bodies share one blob.
 */
import type { DatabaseSync } from 'node:sqlite';

/**
 * Set on every connection to an archive database (the reader and the writer thread alike):
 * WAL, and a durable fsync at each commit, so a 201 survives `kill -9`.
 */
export const CONNECTION_PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000';

/** Every chunk but a blob's last is exactly this long, so a byte offset maps to a chunk. */
export const CHUNK_SIZE = 256 * 1024;

const migrations: string[] = [
  // 1: archives, deduplicated blobs, chunked bodies
  `CREATE TABLE blobs (
     id INTEGER PRIMARY KEY,
     sha256 TEXT UNIQUE,
     size INTEGER NOT NULL DEFAULT 0,
     pending INTEGER NOT NULL DEFAULT 1
   );
   CREATE TABLE chunks (
     id INTEGER PRIMARY KEY,
     blob_id INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     data BLOB NOT NULL
   );
   CREATE UNIQUE INDEX chunks_blob_seq ON chunks(blob_id, seq);
   CREATE TABLE archives (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     blob_id INTEGER NOT NULL REFERENCES blobs(id),
     status INTEGER NOT NULL,
     url TEXT,
     content_type TEXT,
     headers TEXT NOT NULL DEFAULT '{}',
     trace_id TEXT,
     archived_at TEXT NOT NULL
   );
   CREATE INDEX archives_url ON archives(url, id);`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = migrations.length;

/** Applies pending migrations in one transaction; refuses a database from a newer version. */
export function migrate(db: DatabaseSync): void {
  const current = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this archiver (${SCHEMA_VERSION}); upgrade the archiver`);
  }
  if (current === SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(migrations[v]!);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

/** Removes blobs (and their chunks) of uploads that never committed: a crash, a gone client, a limit hit. */
export function removePendingBlobs(db: DatabaseSync): number {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('DELETE FROM chunks WHERE blob_id IN (SELECT id FROM blobs WHERE pending = 1)');
    const r = db.prepare('DELETE FROM blobs WHERE pending = 1').run();
    db.exec('COMMIT');
    return Number(r.changes);
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
