/**
 * X-Ray compatible ids (XRAY-REFERENCE §1.1, §1.2): a trace id whose first 8 hex digits
 * are the epoch seconds, the rest CSPRNG output. Randomness comes from a pooled buffer, kept
 * in hex, so the request path pays one `randomFillSync` and one hex conversion per few
 * hundred ids, not one per id.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
// The pool in hex, converted once per refill: an id is then a substring, not a conversion.
let hexPool = '';
let hexOffset = 0; // hexPool is empty: filled on first use

/** `chars` fresh random lowercase hex digits (an even count). */
function takeHex(chars: number): string {
  if (hexOffset + chars > hexPool.length) {
    randomFillSync(pool);
    hexPool = pool.toString('hex');
    hexOffset = 0;
  }
  const at = hexOffset;
  hexOffset += chars;
  return hexPool.slice(at, at + chars);
}

/** `bytes` random bytes from the CSPRNG pool as lowercase hex. */
export function randomHex(bytes: number): string {
  return takeHex(bytes * 2);
}

const ZERO_SPAN_ID = '0000000000000000';

/** A random, non-zero 16-hex id (span, segment, subsegment or exception id, §1.2). */
export function randomSpanId(): string {
  for (;;) {
    const id = takeHex(16);
    // An all-zero id is invalid in OTel and X-Ray; 2^-64 odds, but checking is cheap.
    if (id !== ZERO_SPAN_ID) return id;
  }
}

// The epoch prefix changes once a second; caching it avoids a toString(16) per id.
let cachedSecond = -1;
let cachedEpochHex = '';
let cachedXRayPrefix = '';

/** 8 lowercase hex digits of the current epoch seconds. */
function epochHex(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedEpochHex = second.toString(16).padStart(8, '0');
    cachedXRayPrefix = `1-${cachedEpochHex}-`;
  }
  return cachedEpochHex;
}

// The newest id made here and its X-Ray form, made from the same parts: a server asks for
// the X-Ray form of the id it just made (response header, log line), and slicing the joined
// id apart again would flatten and copy it (~1 000 instructions a request, callgrind).
let lastTraceId = '';
let lastXRayTraceId = '';

/** A fresh OTel trace id (32 hex) in X-Ray layout: epoch seconds + 96 random bits. */
export function newXRayCompatibleTraceId(): string {
  const epoch = epochHex();
  const random = randomHex(12);
  lastXRayTraceId = cachedXRayPrefix + random;
  return (lastTraceId = epoch + random);
}

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const ZERO_TRACE_ID = '00000000000000000000000000000000';

/** True for `1-<8 lowercase hex>-<24 lowercase hex>` with a non-zero value (§1.1). */
export function isValidXRayTraceId(value: string): boolean {
  return value.length === 35 && XRAY_TRACE_ID.test(value) && fromXRayUnchecked(value) !== ZERO_TRACE_ID;
}

function fromXRayUnchecked(value: string): string {
  return value.slice(2, 10) + value.slice(11);
}

/** OTel (32 hex) form of an X-Ray trace id, or undefined when it is not strictly valid. */
export function fromXRayTraceId(value: string): string | undefined {
  if (value.length !== 35 || !XRAY_TRACE_ID.test(value)) return undefined;
  const hex = fromXRayUnchecked(value);
  return hex === ZERO_TRACE_ID ? undefined : hex;
}

/** X-Ray form `1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy` of a 32-hex OTel trace id. */
export function toXRayTraceId(otelTraceId: string): string {
  if (otelTraceId === lastTraceId) return lastXRayTraceId;
  return '1-' + otelTraceId.slice(0, 8) + '-' + otelTraceId.slice(8);
}
