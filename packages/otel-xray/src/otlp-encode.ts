/**
 * ReadableSpans → an OTLP `ExportTraceServiceRequest` (protobuf), byte for byte what
 * `@opentelemetry/otlp-transformer`'s ProtobufTraceSerializer writes for the same spans
 * (same field order, same defaults written, same grouping by resource and scope; the tests
 * compare the two), at less than half its cost: one pass into a reused buffer instead of a
 * size-estimating pass and a writing pass, ids written from hex in place, short ASCII
 * strings copied in place (others by Node's native UTF-8 writer), a resource's bytes kept
 * once made, attribute keys cached.
 */
import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';

type Resource = ReadableSpan['resource'];
type Scope = ReadableSpan['instrumentationScope'];

// W3C span flags in OTLP, with "has is_remote" set (what the official serializer writes).
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const TWO_32 = 4294967296;
const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;
const KEY_CACHE_LIMIT = 4096;

class Writer {
  buf = Buffer.allocUnsafe(1 << 16);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A varint of a non-negative or negative (two's complement, 10 bytes) integer. */
  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 127) {
        buf[this.pos++] = (v & 127) | 128;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / TWO_32) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 127) {
      buf[this.pos++] = (low & 127) | 128;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 127;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.u32(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Four little-endian bytes at `at` (room already ensured): stores, not Buffer's checked writer. */
  u32(v: number, at: number): void {
    const buf = this.buf;
    buf[at] = v;
    buf[at + 1] = v >>> 8;
    buf[at + 2] = v >>> 16;
    buf[at + 3] = v >>> 24;
  }

  /** HrTime as fixed64 nanoseconds, exact beyond 2^53 (low and high words computed apart). */
  time(t: HrTime): void {
    const seconds = t[0];
    const lower16 = (seconds & 0xffff) * 1e9;
    const upper = ((seconds / 65536) >>> 0) * 1e9;
    const low32 = (lower16 >>> 0) + (((upper & 0xffff) * 65536) >>> 0) + t[1];
    const high = (Math.floor(lower16 / TWO_32) + ((upper / 65536) >>> 0) + Math.floor(low32 / TWO_32)) >>> 0;
    this.ensure(8);
    this.u32(low32 >>> 0, this.pos);
    this.u32(high, this.pos + 4);
    this.pos += 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** Length-prefixed UTF-8 (lone surrogates become U+FFFD, as with TextEncoder). */
  string(s: string): void {
    const n = s.length;
    if (n < 16) {
      // A short ASCII string (a method, a scheme, a status text) is copied here: below ~16
      // characters the copy beats the call into Buffer's native writer; above, the native
      // writer wins by far (measured: 35 against 70 ns at 8 characters, 137 against 44 at 64).
      this.ensure(n + 1);
      const buf = this.buf;
      const at = this.pos;
      let p = at + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 127) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[at] = n;
        this.pos = p;
        return;
      }
    }
    if (n < 43) {
      // At most 126 bytes: the length is one byte.
      this.ensure(n * 3 + 1);
      const at = this.pos;
      const written = this.buf.write(s, at + 1, 'utf8');
      this.buf[at] = written;
      this.pos = at + 1 + written;
      return;
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.varint(bytes);
    this.ensure(bytes);
    this.buf.write(s, this.pos, bytes, 'utf8');
    this.pos += bytes;
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Hex id as length-prefixed bytes. */
  hex(h: string): void {
    const n = h.length >> 1;
    this.varint(n);
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0, j = 0; i < n; i++, j += 2) buf[p++] = (nibble(h.charCodeAt(j)) << 4) | nibble(h.charCodeAt(j + 1));
    this.pos = p;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Starts a length-delimited field's body; returns where its length goes. */
  open(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the body opened at `at`, moving the body when it needs more than one byte. */
  close(at: number): void {
    const length = this.pos - at - 1;
    if (length < 128) {
      this.buf[at] = length;
      return;
    }
    const size = length < 16384 ? 2 : length < 2097152 ? 3 : length < 268435456 ? 4 : 5;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let p = at;
    while (v > 127) {
      this.buf[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[p] = v;
  }
}

// A hex digit's value by char code, as the official serializer computes it (any other
// character c counts c - 55, so a malformed id is written as it writes it).
const NIBBLE = new Int32Array(128).map((_, c) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c - 55));
function nibble(c: number): number {
  return c < 128 ? NIBBLE[c]! : c - 55;
}

const w = new Writer();
// KeyValue's key field, encoded: tag 1, length, UTF-8.
const keys = new Map<string, Buffer>();
// A resource's Resource message bytes, tag included (resources are immutable once settled).
const resources = new WeakMap<object, Buffer>();

function key(k: string): void {
  let b = keys.get(k);
  if (b === undefined) {
    // Encoded in the shared writer past its end, then copied out: no buffer of its own to grow.
    const at = w.pos;
    w.byte(0x0a);
    w.string(k);
    b = Buffer.from(w.buf.subarray(at, w.pos));
    w.pos = at;
    if (keys.size >= KEY_CACHE_LIMIT) keys.clear();
    keys.set(k, b);
  }
  w.raw(b);
}

function attributes(attrs: Attributes, field: number): void {
  const tag = (field << 3) | 2;
  for (const k in attrs) {
    if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
    w.byte(tag);
    const kv = w.open();
    key(k);
    w.byte(0x12);
    const v = w.open();
    anyValue(attrs[k]);
    w.close(v);
    w.close(kv);
  }
}

function anyValue(value: unknown): void {
  const t = typeof value;
  if (t === 'string') {
    w.byte(0x0a);
    w.string(value as string);
  } else if (t === 'boolean') {
    w.byte(0x10);
    w.byte(value ? 1 : 0);
  } else if (t === 'number') {
    const n = value as number;
    if (Number.isInteger(n) && n >= MIN_INT64 && n < MAX_INT64) {
      w.byte(0x18);
      w.varint(n);
    } else {
      w.byte(0x21);
      w.double(n);
    }
  } else if (value instanceof Uint8Array) {
    w.byte(0x3a);
    w.bytes(value);
  } else if (Array.isArray(value)) {
    w.byte(0x2a);
    const array = w.open();
    for (const item of value) {
      w.byte(0x0a);
      const at = w.open();
      anyValue(item);
      w.close(at);
    }
    w.close(array);
  } else if (t === 'object' && value !== null) {
    w.byte(0x32);
    const list = w.open();
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      w.byte(0x0a);
      const kv = w.open();
      w.byte(0x0a);
      w.string(k);
      w.byte(0x12);
      const v = w.open();
      anyValue(obj[k]);
      w.close(v);
      w.close(kv);
    }
    w.close(list);
  }
}

function flags(sc: SpanContext, isRemote: boolean | undefined): number {
  return (sc.traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

function status(s: ReadableSpan['status']): void {
  w.byte(0x7a);
  const at = w.open();
  if (s.message) {
    w.byte(0x12);
    w.string(s.message);
  }
  w.byte(0x18);
  w.varint(s.code);
  w.close(at);
}

function event(e: TimedEvent): void {
  w.byte(0x5a);
  const at = w.open();
  w.byte(0x09);
  w.time(e.time);
  w.byte(0x12);
  w.string(e.name);
  if (e.attributes) attributes(e.attributes, 3);
  w.byte(0x20);
  w.varint(e.droppedAttributesCount || 0);
  w.close(at);
}

/** trace_id, span_id and trace_state: fields 1 to 3 of both Span and Span.Link. */
function ids(sc: SpanContext): void {
  w.byte(0x0a);
  w.hex(sc.traceId);
  w.byte(0x12);
  w.hex(sc.spanId);
  const traceState = sc.traceState?.serialize();
  if (traceState) {
    w.byte(0x1a);
    w.string(traceState);
  }
}

function span(s: ReadableSpan): void {
  w.byte(0x12);
  const at = w.open();
  const sc = s.spanContext();
  ids(sc);
  const parent = s.parentSpanContext;
  if (parent?.spanId) {
    w.byte(0x22);
    w.hex(parent.spanId);
  }
  w.byte(0x2a);
  w.string(s.name);
  const kind = s.kind == null ? 0 : s.kind + 1;
  if (kind !== 0) {
    w.byte(0x30);
    w.varint(kind);
  }
  w.byte(0x39);
  w.time(s.startTime);
  w.byte(0x41);
  w.time(s.endTime);
  if (s.attributes) attributes(s.attributes, 9);
  w.byte(0x50);
  w.varint(s.droppedAttributesCount);
  for (const e of s.events) event(e);
  w.byte(0x60);
  w.varint(s.droppedEventsCount);
  for (const link of s.links) {
    w.byte(0x6a);
    const l = w.open();
    ids(link.context);
    if (link.attributes) attributes(link.attributes, 4);
    w.byte(0x28);
    w.varint(link.droppedAttributesCount || 0);
    w.byte(0x35);
    w.fixed32(flags(link.context, link.context.isRemote));
    w.close(l);
  }
  w.byte(0x70);
  w.varint(s.droppedLinksCount);
  status(s.status);
  // Field 16, fixed32: a two-byte tag.
  w.byte(0x85);
  w.byte(0x01);
  w.fixed32(flags(sc, parent?.isRemote));
  w.close(at);
}

function resource(r: Resource): void {
  const pending = (r as { asyncAttributesPending?: boolean }).asyncAttributesPending === true;
  const cached = pending ? undefined : resources.get(r);
  if (cached !== undefined) {
    w.raw(cached);
    return;
  }
  const start = w.pos;
  w.byte(0x0a);
  const at = w.open();
  if (r.attributes) attributes(r.attributes, 1);
  w.byte(0x10);
  w.byte(0);
  w.close(at);
  if (!pending) resources.set(r, Buffer.from(w.buf.subarray(start, w.pos)));
}

function scope(s: Scope): void {
  w.byte(0x0a);
  const at = w.open();
  w.byte(0x0a);
  w.string(s.name);
  if (s.version) {
    w.byte(0x12);
    w.string(s.version);
  }
  const extra = s as Scope & { attributes?: Attributes; droppedAttributesCount?: number };
  if (extra.attributes) attributes(extra.attributes, 3);
  if (extra.droppedAttributesCount) {
    w.byte(0x20);
    w.varint(extra.droppedAttributesCount);
  }
  w.close(at);
}

/** Groups by resource, then scope, in first-seen order (as the official serializer does). */
function group(spans: readonly ReadableSpan[]): Map<Resource, Map<Scope, ReadableSpan[]>> {
  const byResource = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const s of spans) {
    let byScope = byResource.get(s.resource);
    if (byScope === undefined) byResource.set(s.resource, (byScope = new Map()));
    let list = byScope.get(s.instrumentationScope);
    if (list === undefined) byScope.set(s.instrumentationScope, (list = []));
    list.push(s);
  }
  return byResource;
}

/** The ExportTraceServiceRequest for `spans`, in a buffer of its own. */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Buffer {
  return Buffer.from(encode(spans));
}

/** The ExportTraceServiceRequest for `spans` in base64 (ADOT's T1S framing), without a copy of the bytes. */
export function encodeTraceRequestBase64(spans: readonly ReadableSpan[]): string {
  return encode(spans).toString('base64');
}

/** The request in the shared buffer: valid until the next call. */
function encode(spans: readonly ReadableSpan[]): Buffer {
  w.pos = 0;
  try {
    for (const [r, byScope] of group(spans)) {
      w.byte(0x0a);
      const rs = w.open();
      resource(r);
      for (const [sc, list] of byScope) {
        w.byte(0x12);
        const ss = w.open();
        scope(sc);
        for (const s of list) span(s);
        if (sc.schemaUrl) {
          w.byte(0x1a);
          w.string(sc.schemaUrl);
        }
        w.close(ss);
      }
      if (r.schemaUrl) {
        w.byte(0x1a);
        w.string(r.schemaUrl);
      }
      w.close(rs);
    }
    return w.buf.subarray(0, w.pos);
  } finally {
    // A huge batch grew the buffer: give the memory back (what was returned keeps the old one).
    if (w.buf.length > 1 << 22) w.buf = Buffer.allocUnsafe(1 << 16);
  }
}
