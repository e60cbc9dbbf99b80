/**
 * A streamed body cut into the store's fixed-size chunks, hashed and bounded on the way:
 * shared by every store. A body shorter than one chunk is kept as the pieces that arrived
 * (no copy); a longer one is copied chunk by chunk into a staging buffer from a small pool,
 * so the body's memory cost is one chunk and no garbage grows with the document.
 */
import { createHash } from 'node:crypto';
import { appError } from '@tfa/service-kit/errors';
import { noteStreamed } from '@tfa/service-kit/memory';
import { CHUNK_SIZE } from './schema.ts';

/** What is left once the body ended. */
export interface ChunkedBody {
  /** Hex sha256 of the whole body. */
  sha256: string;
  size: number;
  /** Full chunks already handed to `onChunk`; `last` is chunk number `chunks`. */
  chunks: number;
  /** The final partial chunk (undefined when the body ended on a chunk boundary). */
  last: Buffer | undefined;
}

// Staging buffers for bodies longer than one chunk, reused across uploads: allocating a fresh
// 256 KiB buffer per upload is external memory V8 collects late (RSS) and often (GC time).
const freeStaging: Buffer[] = [];
const MAX_FREE_STAGING = 4;

/**
 * Reads `body` to its end; awaits `onChunk(chunk, seq)` for every full chunk (the buffer is
 * reused once that resolves: the store must have copied it). Throws `body_too_large` past
 * `maxBytes`.
 */
export async function chunkBody(
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxBytes: number,
  onChunk: (chunk: Buffer, seq: number) => Promise<void>,
): Promise<ChunkedBody> {
  const hash = createHash('sha256');
  const pieces: Buffer[] = [];
  let staging: Buffer | undefined;
  let size = 0;
  let seq = 0;
  let filled = 0;
  try {
    for await (const piece of body) {
      const part = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      size += part.length;
      if (size > maxBytes) throw appError('body_too_large', `the body is larger than the limit of ${maxBytes} bytes`);
      hash.update(part);
      noteStreamed(part.length);
      if (staging === undefined) {
        if (filled + part.length < CHUNK_SIZE) {
          pieces.push(part);
          filled += part.length;
          continue;
        }
        staging = freeStaging.pop() ?? Buffer.allocUnsafeSlow(CHUNK_SIZE);
        filled = 0;
        for (const p of pieces) filled += p.copy(staging, filled);
        pieces.length = 0;
      }
      let offset = 0;
      while (offset < part.length) {
        const n = part.copy(staging, filled, offset);
        filled += n;
        offset += n;
        if (filled === CHUNK_SIZE) {
          await onChunk(staging, seq++);
          filled = 0;
        }
      }
    }
    let last: Buffer | undefined;
    if (filled > 0) last = staging !== undefined ? Buffer.from(staging.subarray(0, filled)) : pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, filled);
    return { sha256: hash.digest('hex'), size, chunks: seq, last };
  } finally {
    if (staging !== undefined && freeStaging.length < MAX_FREE_STAGING) freeStaging.push(staging);
  }
}

/**
 * Bytes `start..end` (inclusive) of a chunked body, chunk by chunk: `fetch(seq)` reads one
 * stored chunk (undefined when it is missing, which is corruption and throws).
 */
export async function* readChunks(
  label: string,
  size: number,
  start: number,
  end: number,
  fetch: (seq: number) => Uint8Array | undefined | Promise<Uint8Array | undefined>,
): AsyncIterable<Buffer> {
  if (size === 0 || end < start) return;
  for (let seq = Math.floor(start / CHUNK_SIZE); seq <= Math.floor(end / CHUNK_SIZE); seq++) {
    const stored = await fetch(seq);
    if (stored === undefined) throw new Error(`${label}: chunk ${seq} is missing`);
    noteStreamed(stored.byteLength);
    const base = seq * CHUNK_SIZE;
    const data = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    const from = Math.max(0, start - base);
    const to = Math.min(data.length, end - base + 1);
    yield from === 0 && to === data.length ? data : data.subarray(from, to);
  }
}
