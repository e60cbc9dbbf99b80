/** Size limits of OTLP ingest, the ones X-Ray's own OTLP endpoint applies (XRAY-REFERENCE §2.5). */
import { gunzipSync } from 'node:zlib';
import { OtlpDecodeError, toDecodeError } from './errors.ts';

/** Largest accepted request body, uncompressed: 5 MB. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Throws a 413 OtlpDecodeError when an uncompressed body is over MAX_BODY_BYTES. */
export function checkBodySize(length: number): void {
  if (length > MAX_BODY_BYTES) throw new OtlpDecodeError(`body of ${length} bytes is over the ${MAX_BODY_BYTES}-byte limit`, 413);
}

/**
 * The body as sent before its `Content-Encoding` (none, `identity` or `gzip`); inflation
 * stops at MAX_BODY_BYTES, so a small gzip bomb costs no more than a large plain body.
 */
export function inflateOtlpBody(body: Uint8Array, contentEncoding?: string): Uint8Array {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') {
    checkBodySize(body.length);
    return body;
  }
  if (encoding !== 'gzip' && encoding !== 'x-gzip') throw new OtlpDecodeError(`unsupported Content-Encoding ${JSON.stringify(encoding.slice(0, 40))}`);
  try {
    return gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new OtlpDecodeError(`gzip body inflates past the ${MAX_BODY_BYTES}-byte limit`, 413);
    }
    throw toDecodeError('invalid gzip body', err);
  }
}
