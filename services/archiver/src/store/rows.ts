/** The archive row both stores select (the same columns in SQLite and PostgreSQL), and its record. */
import type { ArchiveRecord } from './types.ts';

/** Columns of `SELECT_ARCHIVE`; ids and sizes come back as numbers (SQLite) or strings (PostgreSQL BIGINT). */
export interface ArchiveRow {
  id: number | string;
  blob_id: number | string;
  status: number;
  url: string | null;
  content_type: string | null;
  headers: string;
  trace_id: string | null;
  archived_at: string;
  sha256: string;
  size: number | string;
}

/** An archive joined with its blob; append a WHERE clause. */
export const SELECT_ARCHIVE = `SELECT a.id, a.blob_id, a.status, a.url, a.content_type, a.headers, a.trace_id, a.archived_at, b.sha256, b.size
  FROM archives a JOIN blobs b ON b.id = a.blob_id`;

export function toRecord(r: ArchiveRow): ArchiveRecord {
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
