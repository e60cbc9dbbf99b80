/**
 * OTLP AnyValue / KeyValue → the plain JS values the translator reads (the same shapes
 * the SDK hands it): strings, booleans, numbers, arrays, objects for kvlists and base64
 * strings for bytes.
 */
import type { Attrs } from '@tfa/otel-xray/wire/translate-values';
import type { AnyValueMessage, Int64, KeyValueMessage } from './schema.ts';
import { OtlpDecodeError } from './errors.ts';

/** Nesting allowed inside one attribute value; protobufjs' own limit is 100 messages. */
const MAX_VALUE_DEPTH = 32;

const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * A 64-bit integer as a JS number when it is exact, else as its decimal string: numbers
 * keep the SDK's shape for everyday values, and a string loses nothing and stays JSON.
 */
export function int64ToValue(value: Int64): number | string {
  if (typeof value === 'number') return value;
  // long.js keeps both halves as int32; the high half is unsigned only for unsigned Longs.
  const high = value.unsigned ? value.high >>> 0 : value.high;
  const exact = high * 0x1_0000_0000 + (value.low >>> 0);
  if (Number.isSafeInteger(exact)) return exact;
  return value.toString(10);
}

/** Nanoseconds since the epoch (fixed64) → BigInt, exact. */
export function int64ToBigInt(value: Int64): bigint {
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  return BigInt(value.toString(10));
}

/**
 * An AnyValue as a plain value. An empty AnyValue is null: that is what the SDK's
 * serializer makes of a null attribute, so both paths hand the translator the same value.
 */
export function anyValue(value: AnyValueMessage | null | undefined, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`attribute value nested deeper than ${MAX_VALUE_DEPTH}`);
  if (has(value, 'stringValue')) return value.stringValue;
  if (has(value, 'boolValue')) return value.boolValue;
  if (has(value, 'intValue')) return int64ToValue(value.intValue!);
  if (has(value, 'doubleValue')) return value.doubleValue;
  if (has(value, 'arrayValue')) {
    const items = value.arrayValue?.values ?? [];
    return items.map((item) => anyValue(item, depth + 1));
  }
  if (has(value, 'kvlistValue')) return keyValues(value.kvlistValue?.values, depth + 1);
  if (has(value, 'bytesValue')) return Buffer.from(value.bytesValue!.buffer, value.bytesValue!.byteOffset, value.bytesValue!.byteLength).toString('base64');
  return null;
}

/** A KeyValue list as a record (later duplicates win). */
export function keyValues(list: readonly KeyValueMessage[] | undefined, depth = 0): Attrs {
  const out: Record<string, unknown> = {};
  if (list === undefined) return out;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i];
    const value = anyValue(kv.value, depth);
    if (kv.key === undefined) continue;
    // A key named __proto__ must stay data, not change the object's prototype.
    if (kv.key === '__proto__') Object.defineProperty(out, kv.key, { value, enumerable: true, writable: true, configurable: true });
    else out[kv.key] = value;
  }
  return out;
}
