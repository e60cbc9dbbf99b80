/**
 * The ceiling: bare node:http serving one document from memory, nothing else.
 * `node bench/servers/bare-http.ts [--bytes 10240]`; logs {"msg":"listening","address":...}.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { bytes: { type: 'string', default: '10240' } } });
const doc = Buffer.alloc(Number(values.bytes), 'a');
const headers = { 'content-type': 'text/html; charset=utf-8', 'content-length': String(doc.length) };
const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(doc);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
