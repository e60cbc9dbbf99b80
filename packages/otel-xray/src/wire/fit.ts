/**
 * Fits one document into one datagram (XRAY-REFERENCE §2.3: 64 kB documents; a datagram
 * carries ≤ 65,477 JSON bytes). The reference recommends splitting embedded subsegments
 * out as independent ones: the processor does that first (a nested tree that does not fit
 * is sent as one document per span), so fitting one span's document reduces to trimming:
 * largest metadata values first, then long strings, then whole optional blocks. What was
 * trimmed is recorded in `metadata.exporter.trimmed`. A document is never dropped and the
 * result is never over budget.
 */
import type { SegmentDocument } from './types.ts';

/** The JSON to send and the paths that were trimmed to make it fit. */
export interface FitResult {
  json: string;
  trimmed: string[];
}

/** Default budget: the documented 64 kB, leaving room for the header line (§2.3). */
export const DEFAULT_BUDGET = 64000;
const MIN_BUDGET = 1024;
/** Values at or below this many bytes are not worth a marker. */
const SMALL = 64;
/** Paths recorded in the document itself (the returned list is complete). */
const MAX_RECORDED = 32;
const MAX_PATH = 100;

interface Slot {
  container: Record<string, unknown>;
  key: string;
  path: string;
  bytes: number;
  /** Strings outside metadata keep a prefix, so annotations and URLs stay recognisable. */
  keepPrefix: boolean;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');
const sizeOf = (v: unknown): number => utf8(JSON.stringify(v) ?? 'null');
const marker = (bytes: number): string => `<trimmed ${bytes} bytes>`;

/** Serializes `doc`, trimming a copy until its UTF-8 size is at most `budgetBytes`. */
export function fitDocument(doc: SegmentDocument, budgetBytes: number = DEFAULT_BUDGET): FitResult {
  if (budgetBytes < MIN_BUDGET) throw new RangeError(`budget ${budgetBytes} is below the ${MIN_BUDGET}-byte minimum`);
  const json = JSON.stringify(doc);
  // A UTF-8 byte is at most 3 per UTF-16 unit, so short documents skip the byte count.
  if (json.length * 3 <= budgetBytes || utf8(json) <= budgetBytes) return { json, trimmed: [] };
  // Documents share cached resource objects; trim a private copy.
  return new Trimmer(structuredClone(doc), budgetBytes, utf8(json)).run();
}

class Trimmer {
  private readonly doc: SegmentDocument;
  private readonly budget: number;
  private size: number;
  private readonly trimmed: string[] = [];
  // Bytes the `exporter` record will add: `,"exporter":{"trimmed":[…]}` plus paths.
  private recordBytes = 40;

  constructor(doc: SegmentDocument, budget: number, size: number) {
    this.doc = doc;
    this.budget = budget;
    this.size = size + (doc.metadata === undefined ? 16 : 0);
  }

  run(): FitResult {
    this.trimSlots(this.metadataSlots());
    if (!this.fits()) this.trimSlots(this.stringSlots());
    let json = this.finish();
    for (const drop of this.blockDrops()) {
      if (utf8(json) <= this.budget) return { json, trimmed: this.trimmed };
      drop();
      json = this.finish();
    }
    if (utf8(json) <= this.budget) return { json, trimmed: this.trimmed };
    return { json: this.minimal(), trimmed: this.trimmed };
  }

  private fits(): boolean {
    return this.size + this.recordBytes <= this.budget;
  }

  private note(path: string): void {
    this.trimmed.push(path);
    if (this.trimmed.length <= MAX_RECORDED) this.recordBytes += Math.min(path.length, MAX_PATH) * 3 + 3;
  }

  /** Replaces the largest slots with markers until the estimate fits. */
  private trimSlots(slots: Slot[]): void {
    slots.sort((a, b) => b.bytes - a.bytes);
    for (const slot of slots) {
      if (this.fits()) return;
      const value = slot.container[slot.key];
      const replacement = slot.keepPrefix && typeof value === 'string'
        ? value.slice(0, 32) + '…' + marker(slot.bytes)
        : marker(slot.bytes);
      slot.container[slot.key] = replacement;
      this.size -= slot.bytes - sizeOf(replacement);
      this.note(slot.path);
    }
  }

  private metadataSlots(): Slot[] {
    const slots: Slot[] = [];
    const metadata = this.doc.metadata;
    if (metadata === undefined) return slots;
    for (const ns in metadata) {
      if (ns === 'exporter') continue;
      const entries = metadata[ns];
      for (const key in entries) {
        const bytes = sizeOf(entries[key]);
        if (bytes > SMALL) slots.push({ container: entries, key, path: `metadata.${ns}.${key}`, bytes, keepPrefix: false });
      }
    }
    return slots;
  }

  /** Long strings outside metadata and outside the identity fields. */
  private stringSlots(): Slot[] {
    const slots: Slot[] = [];
    const walk = (node: Record<string, unknown>, path: string): void => {
      for (const key in node) {
        const value = node[key];
        const p = path === '' ? key : Array.isArray(node) ? `${path}[${key}]` : `${path}.${key}`;
        if (typeof value === 'string') {
          const bytes = sizeOf(value);
          if (bytes > SMALL && key !== 'id' && key !== 'trace_id') slots.push({ container: node, key, path: p, bytes, keepPrefix: true });
        } else if (value !== null && typeof value === 'object') {
          walk(value as Record<string, unknown>, p);
        }
      }
    };
    const doc = this.doc as unknown as Record<string, unknown>;
    for (const key of ['annotations', 'http', 'sql', 'cause', 'aws', 'links', 'service', 'user']) {
      const value = doc[key];
      if (typeof value === 'string') {
        const bytes = sizeOf(value);
        if (bytes > SMALL) slots.push({ container: doc, key, path: key, bytes, keepPrefix: true });
      } else if (value !== null && typeof value === 'object') {
        walk(value as Record<string, unknown>, key);
      }
    }
    return slots;
  }

  /** Last resorts, each removing a whole optional block, smallest loss first. */
  private blockDrops(): Array<() => void> {
    const doc = this.doc as unknown as Record<string, unknown>;
    const drops: Array<() => void> = [];
    const cause = this.doc.cause;
    if (typeof cause === 'object' && cause.exceptions !== undefined) {
      drops.push(() => {
        for (const e of cause.exceptions!) delete e.stack;
        this.note('cause.exceptions[].stack');
      });
    }
    for (const ns in this.doc.metadata ?? {}) {
      if (ns !== 'exporter') drops.push(() => { delete this.doc.metadata![ns]; this.note(`metadata.${ns}`); });
    }
    for (const key of ['links', 'annotations', 'cause', 'sql', 'aws', 'http']) {
      if (doc[key] !== undefined) drops.push(() => { delete doc[key]; this.note(key); });
    }
    return drops;
  }

  /** Writes the trimmed record and serializes. */
  private finish(): string {
    const recorded = this.trimmed.slice(0, MAX_RECORDED).map((p) => (p.length > MAX_PATH ? p.slice(0, MAX_PATH) : p));
    if (this.trimmed.length > MAX_RECORDED) recorded.push(`… ${this.trimmed.length - MAX_RECORDED} more`);
    const metadata = (this.doc.metadata ??= {});
    metadata.exporter = { trimmed: recorded };
    return JSON.stringify(this.doc);
  }

  /** Identity, times and flags only: always far below MIN_BUDGET. */
  private minimal(): string {
    const d = this.doc;
    const keep: Record<string, unknown> = { name: d.name, id: d.id, trace_id: d.trace_id, start_time: d.start_time };
    for (const key of ['end_time', 'in_progress', 'type', 'parent_id', 'namespace', 'error', 'throttle', 'fault'] as const) {
      const value = (d as unknown as Record<string, unknown>)[key];
      if (value !== undefined) keep[key] = value;
    }
    this.trimmed.push('*');
    keep.metadata = { exporter: { trimmed: ['*'] } };
    return JSON.stringify(keep);
  }
}
