/**
 * Lingering close, as nginx does it: an answer given before the request body has been read
 * (413 over the limit, 401, 400...) closes the connection only after reading and discarding
 * what the client still sends, for a bounded time and size. Closing at once, with unread bytes
 * in the kernel's buffer, resets the connection while the client is still writing: a client
 * that writes the whole body before it reads (Python's urllib, Java's HttpURLConnection) then
 * sees a broken pipe instead of the answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/** How long and how much a lingering connection is read before it is cut off. */
export interface LingerLimits {
  /** Longest linger in all (nginx's lingering_time is 30 s). */
  ms: number;
  /** Longest wait for the next byte (nginx's lingering_timeout is 5 s). */
  idleMs: number;
  /** Most bytes discarded; a client that sends more is cut off. */
  bytes: number;
}

export const defaultLinger: LingerLimits = { ms: 30_000, idleMs: 5_000, bytes: 256 * 1024 * 1024 };

const CHECK_MS = 50;
const lingering = new WeakSet<Socket>();

/** True when `req` declared a body that has not been read to its end. */
export function bodyUnread(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Turns the close that follows this answer into a lingering one (true; the answer must then
 * carry `Connection: close`): the rest of the body is discarded where Node's parser reads it, the answer is
 * sent and the write side shut, and the socket is destroyed once the body is complete or a
 * limit is reached.
 */
export function lingerAfterAnswer(req: IncomingMessage, res: ServerResponse, limits: LingerLimits = defaultLinger): boolean {
  // The response's socket: a request stream that a route destroyed no longer names it.
  // (An injected request, app.inject, has no real socket and nothing to linger on.)
  const socket = res.socket as (Socket & { destroySoon?: () => void }) | null;
  if (!(socket instanceof Socket) || socket.destroyed) return false;
  if (lingering.has(socket)) return true;
  lingering.add(socket);
  // Node's own way to drop an unread body (`_dump`): the parser then discards the bytes instead
  // of pushing them into a request stream that a route may have destroyed, which would pause the socket.
  (req as IncomingMessage & { _dump?: () => void })._dump?.();
  socket.resume();
  // Node calls destroySoon once a `Connection: close` answer is written; linger there instead.
  socket.destroySoon = () => {
    socket.end();
    watch(socket, req, limits);
  };
  return true;
}

function watch(socket: Socket, req: IncomingMessage, limits: LingerLimits): void {
  const start = Date.now();
  const firstByte = socket.bytesRead;
  let seen = firstByte;
  let seenAt = start;
  const timer = setInterval(() => {
    const now = Date.now();
    if (socket.bytesRead !== seen) (seen = socket.bytesRead), (seenAt = now);
    const done = req.complete && socket.writableFinished;
    if (done || seen - firstByte > limits.bytes || now - start > limits.ms || now - seenAt > limits.idleMs) socket.destroy();
  }, CHECK_MS);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}
