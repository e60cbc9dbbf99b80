/** The statement each traced SQLite operation is known by (spans carry these, never values). */
export const sqliteStatements = {
  create: 'INSERT INTO archives (blob_id, status, url, content_type, headers, trace_id, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
  get: 'SELECT a.*, b.sha256, b.size FROM archives a JOIN blobs b ON b.id = a.blob_id WHERE a.id = ?',
  readBody: 'SELECT data FROM chunks WHERE blob_id = ? AND seq = ?',
  list: 'SELECT a.*, b.sha256, b.size FROM archives a JOIN blobs b ON b.id = a.blob_id WHERE a.id < ? ORDER BY a.id DESC LIMIT ?',
} as const;
