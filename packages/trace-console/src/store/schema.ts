/**
 * The trace store's tables. `documents` keeps every document as received (one row per
 * trace id + document id, newest version); `traces` keeps one summary row per trace whose
 * columns are the filter's `TraceColumns` (src/console/filter/sql.ts), so a filter's SQL
 * prefilter runs against them unchanged.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

// Rowid tables, not WITHOUT ROWID: rows hold whole documents and JSON (often over 1 KiB),
// which SQLite advises against keeping inside a clustered index.
// Indexes: start time (every listing's order), duration and status (the usual selective
// filters). Each index costs every summary update (measured ~5 µs per document each), so
// response_time and updated_at have none: retention scans updated_at once a minute.
// trace_annotations has one row per trace, key and distinct value (the summary's
// annotations), so annotation filters are index lookups instead of a JSON scan per trace.
const DDL = `
CREATE TABLE IF NOT EXISTS documents (
  trace_id    TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  in_progress INTEGER NOT NULL,
  received_at REAL    NOT NULL,
  doc         TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS documents_key ON documents (trace_id, id);
CREATE TABLE IF NOT EXISTS traces (
  id            TEXT    NOT NULL UNIQUE,
  start_time    REAL    NOT NULL,
  end_time      REAL    NOT NULL,
  duration      REAL    NOT NULL,
  response_time REAL    NOT NULL,
  http_method   TEXT,
  http_url      TEXT,
  http_status   INTEGER,
  ok            INTEGER NOT NULL,
  error         INTEGER NOT NULL,
  fault         INTEGER NOT NULL,
  throttle      INTEGER NOT NULL,
  partial       INTEGER NOT NULL,
  services      TEXT    NOT NULL,
  annotations   TEXT    NOT NULL,
  graph         TEXT    NOT NULL,
  documents     INTEGER NOT NULL,
  revision      INTEGER NOT NULL,
  updated_at    REAL    NOT NULL
);
CREATE INDEX IF NOT EXISTS traces_start ON traces (start_time, id);
CREATE INDEX IF NOT EXISTS traces_duration ON traces (duration);
CREATE INDEX IF NOT EXISTS traces_status ON traces (http_status);
CREATE TABLE IF NOT EXISTS trace_annotations (
  trace_id TEXT    NOT NULL,
  key      TEXT    NOT NULL,
  num      REAL,
  str      TEXT,
  bool     INTEGER
);
CREATE INDEX IF NOT EXISTS trace_annotations_trace ON trace_annotations (trace_id);
CREATE INDEX IF NOT EXISTS trace_annotations_num ON trace_annotations (key, num);
CREATE INDEX IF NOT EXISTS trace_annotations_str ON trace_annotations (key, str);
`;

/** Bumped when a file written by an older version needs filling in (see openDatabase). */
const SCHEMA_VERSION = 2;

/** The store's statements, prepared once per connection. */
export const statements = {
  // Newest version wins, except that a late in-progress copy never replaces a completed document.
  upsertDoc: `INSERT INTO documents (trace_id, id, in_progress, received_at, doc) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (trace_id, id) DO UPDATE SET in_progress = excluded.in_progress, received_at = excluded.received_at, doc = excluded.doc
    WHERE NOT (excluded.in_progress = 1 AND documents.in_progress = 0)`,
  docsOf: 'SELECT doc FROM documents WHERE trace_id = ? ORDER BY received_at, id',
  docsWithIds: 'SELECT id, in_progress, doc FROM documents WHERE trace_id = ? ORDER BY received_at, id',
  upsertTrace: `INSERT INTO traces (id, start_time, end_time, duration, response_time, http_method, http_url, http_status,
      ok, error, fault, throttle, partial, services, annotations, graph, documents, revision, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
    ON CONFLICT (id) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time, duration = excluded.duration,
      response_time = excluded.response_time, http_method = excluded.http_method, http_url = excluded.http_url,
      http_status = excluded.http_status, ok = excluded.ok, error = excluded.error, fault = excluded.fault,
      throttle = excluded.throttle, partial = excluded.partial, services = excluded.services, annotations = excluded.annotations,
      graph = excluded.graph, documents = excluded.documents, revision = traces.revision + 1, updated_at = excluded.updated_at
    RETURNING revision`,
  getTrace: 'SELECT * FROM traces WHERE id = ?',
  docExists: 'SELECT 1 AS found FROM documents WHERE trace_id = ? AND id = ?',
  count: 'SELECT (SELECT count(*) FROM traces) AS traces, (SELECT count(*) FROM documents) AS documents',
  deleteDocs: 'DELETE FROM documents WHERE trace_id = ?',
  deleteAnnotations: 'DELETE FROM trace_annotations WHERE trace_id = ?',
  insertAnnotation: 'INSERT INTO trace_annotations (trace_id, key, num, str, bool) VALUES (?, ?, ?, ?, ?)',
  deleteTrace: 'DELETE FROM traces WHERE id = ?',
  oldByAge: 'SELECT id FROM traces WHERE updated_at < ? LIMIT 1000', // retention.ts PRUNE_CHUNK
  oldByCount: 'SELECT id FROM traces ORDER BY start_time, id LIMIT ?',
} as const;

/** Opens (creating the directory and tables) the database at `path`, in WAL mode. */
export function openDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // NORMAL, not FULL: a power cut may lose the last batches of traces, never corrupt the file;
  // traces are telemetry, and ingest speed matters more here than for the archiver.
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -32000');
  db.exec(DDL);
  // Version 2 added trace_annotations: fill it from the summaries of a file written before.
  if ((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version < SCHEMA_VERSION) {
    db.exec(`BEGIN;
      DELETE FROM trace_annotations;
      INSERT INTO trace_annotations (trace_id, key, num, str, bool)
        SELECT t.id, k.key,
          CASE WHEN v.type IN ('integer', 'real') THEN v.value END,
          CASE WHEN v.type = 'text' THEN v.value END,
          CASE v.type WHEN 'true' THEN 1 WHEN 'false' THEN 0 END
        FROM traces t, json_each(t.annotations) k, json_each(k.value) v;
      PRAGMA user_version = ${SCHEMA_VERSION};
      COMMIT;`);
  }
  return db;
}
