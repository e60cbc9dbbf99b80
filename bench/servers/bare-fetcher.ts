/**
 * The fetch pipeline's floor: the same three hops as GET /fetch/{url} with nothing else,
 * a bare node:http server that GETs the URL with undici (keep-alive), buffers the body and
 * POSTs it to a bare node:http + node:sqlite server (bench/servers/sqlite-http.ts), then
 * answers with a small JSON. No guard, no validation, no logs, no streaming.
 * `node bench/servers/bare-fetcher.ts --archive http://127.0.0.1:PORT`; logs {"msg":"listening",...}.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { request } from 'undici';

const { values } = parseArgs({ options: { archive: { type: 'string' } } });
const archive = `${values.archive!}/archive`;
const server = createServer(async (req, res) => {
  try {
    const url = decodeURIComponent((req.url ?? '').slice('/fetch/'.length));
    const up = await request(url);
    const body = Buffer.from(await up.body.arrayBuffer());
    const stored = await request(archive, {
      method: 'POST',
      headers: { 'content-type': String(up.headers['content-type'] ?? 'application/octet-stream'), 'x-archive-status': String(up.statusCode) },
      body,
    });
    const { id } = (await stored.body.json()) as { id: number };
    const out = JSON.stringify({ status: up.statusCode, archive_href: `/archive/${id}`, archive_url: `${values.archive!}/archive/${id}`, url, size: body.length });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  } catch (err) {
    res.writeHead(502).end(String(err));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
