/**
 * The one handler every peer traces: the ceiling's (bench/servers/bare-http.ts) 10 KiB
 * document from memory, and the listening line bench/peers.ts waits for.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export type Http = typeof import('node:http');
export const doc = Buffer.alloc(10240, 'a');
export const headers = { 'content-type': 'text/html; charset=utf-8', 'content-length': String(doc.length) };

export function handler(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, headers);
  res.end(doc);
}

/** Listens on an ephemeral loopback port and logs {"msg":"listening","address":...}; SIGTERM flushes, then exits. */
export function listen(server: Server, flush: () => Promise<unknown> = async () => {}): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}` })}\n`);
  });
  // Pending spans go out before exit, as a service's shutdown would send them.
  process.on('SIGTERM', () => server.close(() => void flush().finally(() => process.exit(0))).closeAllConnections());
}
