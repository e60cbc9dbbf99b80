/** A loopback upstream with every behaviour the fetcher must handle; counts the requests it sees. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

export const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

export interface Site {
  url: string;
  port: number;
  /** Requests seen so far, by path. */
  seen: string[];
  server: Server;
}

/** Starts the test site; `redirectTarget` is where /to-blocked points. */
export async function startSite(t: TestContext, options: { redirectTarget?: string } = {}): Promise<Site> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url!);
    const url = new URL(req.url!, 'http://x');
    const hops = /^\/redir\/(\d+)$/.exec(url.pathname);
    if (hops) {
      const n = Number(hops[1]);
      res.writeHead(302, { location: n > 1 ? `/redir/${n - 1}` : '/text' }).end();
      return;
    }
    switch (url.pathname) {
      case '/text':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"t1"', 'set-cookie': 'secret=1' }).end('<h1>héllo</h1>');
        return;
      case '/bin':
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(allBytes);
        return;
      case '/json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}');
        return;
      case '/404':
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
        return;
      case '/429':
        res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' }).end('slow down');
        return;
      case '/500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
        return;
      case '/to-blocked':
        res.writeHead(302, { location: options.redirectTarget ?? 'http://127.0.0.1:1/' }).end();
        return;
      case '/hang':
        return; // never answers
      case '/big': {
        const size = Number(url.searchParams.get('mib') ?? 2) * 1024 * 1024;
        const chunked = url.searchParams.has('chunked');
        res.writeHead(200, chunked ? { 'content-type': 'application/octet-stream' } : { 'content-type': 'application/octet-stream', 'content-length': String(size) });
        const block = Buffer.alloc(1024 * 1024, 7);
        let sent = 0;
        const pump = () => {
          while (sent < size) {
            sent += block.length;
            if (!res.write(block)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
        return;
      }
      default:
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`path ${req.url}`);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, seen, server };
}
