/**
 * Annotations and metadata (XRAY-REFERENCE §3.7, §4.6). Annotations are the indexed,
 * filterable fields, so their keys must match X-Ray's filter rule `[A-Za-z0-9_]` (other
 * characters become `_`) and their values must be scalars; anything else is metadata.
 */
import type { AnnotationValue } from './types.ts';

/** X-Ray indexes at most 50 annotations; more per document are kept as metadata. */
export const MAX_ANNOTATIONS = 50;
/** Schema cap on annotation string values (§3.7). */
export const MAX_ANNOTATION_STRING = 1000;
const MAX_ANNOTATION_KEY = 500;

const KEY_BAD_CHARS = /[^A-Za-z0-9_]/g;
const KEY_HAS_BAD = /[^A-Za-z0-9_]/;

/** Annotation key allowed by X-Ray filters: other characters → `_`, at most 500 chars. */
export function sanitizeAnnotationKey(key: string): string {
  const clean = KEY_HAS_BAD.test(key) ? key.replace(KEY_BAD_CHARS, '_') : key;
  return clean.length > MAX_ANNOTATION_KEY ? clean.slice(0, MAX_ANNOTATION_KEY) : clean;
}

/** The value as an annotation value, or undefined when only metadata can hold it. */
export function annotationValue(value: unknown): AnnotationValue | undefined {
  if (typeof value === 'string') return value.length > MAX_ANNOTATION_STRING ? value.slice(0, MAX_ANNOTATION_STRING) : value;
  if (typeof value === 'boolean') return value;
  // NaN and ±Infinity serialize as null, which X-Ray rejects as an annotation value.
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return undefined;
}

/** Collects a document's annotations and metadata; one per document. */
export class AttributeSink {
  /** Sanitized key → value; undefined until the first annotation. */
  annotations: Record<string, AnnotationValue> | undefined;
  /** Namespace → key → value; undefined until the first entry. */
  metadata: Record<string, Record<string, unknown>> | undefined;
  private count = 0;
  // Original keys that became annotations, so the metadata pass skips them.
  private annotated: Set<string> | undefined;

  /** Adds `key` as an annotation if the value and the count allow; returns whether it did. */
  annotate(key: string, value: unknown): boolean {
    if (this.count >= MAX_ANNOTATIONS) return false;
    const v = annotationValue(value);
    if (v === undefined) return false;
    const k = sanitizeAnnotationKey(key);
    if (k.length === 0) return false;
    const annotations = (this.annotations ??= {});
    if (Object.hasOwn(annotations, k)) return false; // first writer wins on a sanitized clash
    annotations[k] = v;
    this.count++;
    (this.annotated ??= new Set()).add(key);
    return true;
  }

  /** True when `key` already became an annotation. */
  isAnnotated(key: string): boolean {
    return this.annotated !== undefined && this.annotated.has(key);
  }

  /** Sets `metadata[namespace][key]`. */
  meta(namespace: string, key: string, value: unknown): void {
    const metadata = (this.metadata ??= {});
    (metadata[namespace] ??= {})[key] = value;
  }

  /** Merges an `aws.xray.metadata.<ns>` attribute: a JSON object → `metadata.<ns>`, else kept raw (also for reserved `AWS.*`). */
  metaJson(attributeKey: string, namespace: string, value: unknown): void {
    let parsed: unknown;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || namespace.length === 0 || namespace.startsWith('AWS.')) {
      this.meta('default', attributeKey, value);
      return;
    }
    for (const k in parsed as Record<string, unknown>) this.meta(namespace, k, (parsed as Record<string, unknown>)[k]);
  }
}
