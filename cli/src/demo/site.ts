/**
 * The demo's sample site on a loopback port: pages that exercise every kind
 * of trace (ok, 4xx, 5xx, slow, redirects, a binary image, a blocked link).
 */
import { createServer, type Server } from 'node:http';
import { deflateSync } from 'node:zlib';

/** The default port, which `npm start` puts on the fetcher's allow list. */
export const DEMO_SITE_PORT = 8090;

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A small valid PNG (a 16x16 gradient), made here so the demo ships no binary file. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(16, 0);
  ihdr.writeUInt32BE(16, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const rows: number[] = [];
  for (let y = 0; y < 16; y++) {
    rows.push(0);
    for (let x = 0; x < 16; x++) rows.push(x * 16, y * 16, 200);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

/** The paths a demo round fetches, with what each should produce. */
export const demoPaths = [
  { path: '/', expect: 200 },
  { path: '/about', expect: 200 },
  { path: '/image.png', expect: 200 },
  { path: '/redirect/3', expect: 200 },
  { path: '/slow', expect: 200 },
  { path: '/missing', expect: 404 },
  { path: '/error', expect: 500 },
] as const;

/** Starts the site; `blockedLink` is the address the /links page points at (the fetcher must refuse it). */
export async function startDemoSite(port: number, blockedLink: string): Promise<{ server: Server; url: string }> {
  const image = png();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const hops = /^\/redirect\/(\d+)$/.exec(url.pathname);
    if (hops) {
      const n = Number(hops[1]);
      res.writeHead(302, { location: n > 1 ? `/redirect/${n - 1}` : '/about' }).end();
      return;
    }
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Demo site', '<p>Pages: <a href="/about">about</a>, <a href="/image.png">an image</a>, <a href="/links">links</a>.</p>'));
        return;
      case '/about':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'last-modified': 'Fri, 27 Nov 2026 00:00:00 GMT' }).end(page('About', '<p>A sample site for the tracing demo.</p>'));
        return;
      case '/links':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('Links', `<p><a href="${blockedLink}">an internal address the fetcher must refuse</a></p>`));
        return;
      case '/image.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(image.length) }).end(image);
        return;
      case '/slow':
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('worth the wait\n'), 1200);
        return;
      case '/error':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('the demo site failed on purpose\n');
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${actual}` };
}
