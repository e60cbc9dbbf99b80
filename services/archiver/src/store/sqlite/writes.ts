/**
 * The SQLite store's writes as plain functions of plain data, so they run the same on the
 * writer thread (sqlite-writer.ts) and, for `:memory:` databases, on the main thread. Each
 * runs inside a BatchWriter group commit.
 */
import type { DatabaseSync } from 'node:sqlite';
import { sqliteStatements } from './statements.ts';
import type { ArchiveMeta } from '../types.ts';

/** One write, as posted to the writer. */
export type WriteOp =
  /** A full chunk of a pending blob (created by the first one); resolves to the blob id. */
  | { op: 'chunk'; blobId: number | null; seq: number; data: Uint8Array }
  /** The archive made visible: last chunk, settle or dedup, archive row; resolves to ids. */
  | { op: 'finish'; blobId: number | null; seq: number; last: Uint8Array | null; sha256: string; size: number; meta: ArchiveMeta; archivedAt: string }
  /** A failed upload's pending blob and chunks removed. */
  | { op: 'drop'; blobId: number };

/** The body bytes an op carries (moved to the writer thread, dead once bound), if any. */
export function bytesOf(w: WriteOp): Uint8Array | undefined {
  if (w.op === 'chunk') return w.data;
  if (w.op === 'finish' && w.last !== null) return w.last;
  return undefined;
}

/** What `finish` returns. */
export interface Finished {
  id: number;
  blobId: number;
}

/** Prepares the write statements on `db`; returns the function that applies one op. */
export function sqliteWrites(db: DatabaseSync): (w: WriteOp) => number | Finished | null {
  const p = (sql: string) => db.prepare(sql);
  const s = {
    newBlob: p('INSERT INTO blobs (pending) VALUES (1)'),
    chunk: p('INSERT INTO chunks (blob_id, seq, data) VALUES (?, ?, ?)'),
    blobBySha: p('SELECT id FROM blobs WHERE sha256 = ? AND pending = 0'),
    settleBlob: p('UPDATE blobs SET sha256 = ?, size = ?, pending = 0 WHERE id = ?'),
    dropChunks: p('DELETE FROM chunks WHERE blob_id = ?'),
    dropBlob: p('DELETE FROM blobs WHERE id = ? AND pending = 1'),
    insert: p(sqliteStatements.create),
  };
  const drop = (blobId: number) => {
    s.dropChunks.run(blobId);
    s.dropBlob.run(blobId);
  };
  return (w) => {
    switch (w.op) {
      case 'chunk': {
        const id = w.blobId ?? Number(s.newBlob.run().lastInsertRowid);
        s.chunk.run(id, w.seq, w.data);
        return id;
      }
      case 'finish': {
        const existing = s.blobBySha.get(w.sha256) as { id: number } | undefined;
        let blobId: number;
        if (existing) {
          // Identical bytes are stored once: this upload's chunks go, the stored blob is shared.
          if (w.blobId !== null) drop(w.blobId);
          blobId = Number(existing.id);
        } else {
          blobId = w.blobId ?? Number(s.newBlob.run().lastInsertRowid);
          if (w.last !== null) s.chunk.run(blobId, w.seq, w.last);
          s.settleBlob.run(w.sha256, w.size, blobId);
        }
        const m = w.meta;
        const row = s.insert.get(blobId, m.status, m.url, m.contentType, JSON.stringify(m.headers), m.traceId, w.archivedAt) as { id: number };
        return { id: Number(row.id), blobId };
      }
      case 'drop':
        drop(w.blobId);
        return null;
    }
  };
}
