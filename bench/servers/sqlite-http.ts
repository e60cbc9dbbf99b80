/**
 * The write baseline: bare node:http that buffers each body and inserts it with node:sqlite
 * (WAL, synchronous=FULL: the row is on disk before the 201), one transaction per request.
 * `node bench/servers/sqlite-http.ts --db FILE`; logs {"msg":"listening","address":...}.
 */
import { createServer } from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { db: { type: 'string' } } });
const db = new DatabaseSync(values.db!);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
db.exec('CREATE TABLE IF NOT EXISTS docs (id INTEGER PRIMARY KEY, status INTEGER NOT NULL, content_type TEXT, body BLOB NOT NULL)');
const insert = db.prepare('INSERT INTO docs (status, content_type, body) VALUES (?, ?, ?)');
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const r = insert.run(Number(req.headers['x-archive-status'] ?? 200), req.headers['content-type'] ?? null, Buffer.concat(chunks));
    const body = JSON.stringify({ id: Number(r.lastInsertRowid) });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => (db.close(), process.exit(0))).closeAllConnections());
