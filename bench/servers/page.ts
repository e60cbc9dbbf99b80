/**
 * The upstream site for the fetcher: `/page` is a 10 KiB HTML page from memory;
 * `/big?bytes=N&seed=S` streams N bytes generated on the fly (never held whole), honouring
 * backpressure. Logs {"msg":"listening","address":...}.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const page = Buffer.from(`<!doctype html><title>bench</title><pre>${'lorem ipsum '.repeat(1000)}`.slice(0, 10240 - 6) + '</pre>');
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/page') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
    res.end(page);
    return;
  }
  if (url.pathname === '/big') {
    const total = Number(url.searchParams.get('bytes') ?? 0);
    // One 1 MiB pattern per seed, repeated: cheap to produce, different bodies per seed.
    const chunk = Buffer.alloc(1024 * 1024);
    const key = createHash('sha256').update(url.searchParams.get('seed') ?? '').digest();
    for (let i = 0; i < chunk.length; i++) chunk[i] = key[i % key.length]! ^ (i & 0xff);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
