/**
 * What the daemon and PutTraceSegments would refuse (XRAY-REFERENCE §1.1, §2, §3, §7.3),
 * each refusal named by a diagnostics kind with a one-line fix the sender can act on.
 */
import type { IncomingDocument } from '../store/store.ts';

/** Problem kinds counted per sender in /api/diagnostics. */
export type ProblemKind =
  | 'malformed'
  | 'invalid_header'
  | 'oversized'
  | 'missing_fields'
  | 'rejected_trace_id'
  | 'orphan_subsegment'
  | 'in_progress'
  | 'unsupported'
  | 'dropped';

/** Every problem kind, in display order. */
export const problemKinds: readonly ProblemKind[] = ['malformed', 'invalid_header', 'oversized', 'missing_fields', 'rejected_trace_id', 'orphan_subsegment', 'in_progress', 'unsupported', 'dropped'];

/** The fix for each problem, one line each. */
export const fixes: Record<ProblemKind, string> = {
  malformed: 'send one JSON segment document per datagram, after the header line: {"format":"json","version":1}\\n{...}',
  invalid_header: 'start every datagram with the header line {"format":"json","version":1} and a newline',
  oversized: 'keep each document under 64 kB: send subsegments as independent documents (type "subsegment", trace_id, parent_id) or lower the SDK streaming threshold',
  missing_fields:
    'a segment needs name, id (16 hex), trace_id, start_time and end_time or in_progress:true; an independent subsegment also needs type "subsegment" and parent_id',
  rejected_trace_id: 'use X-Ray trace ids 1-<8 hex epoch seconds>-<24 hex> stamped with the current time (at most 30 days old, 5 minutes ahead); with OpenTelemetry use an X-Ray id generator',
  orphan_subsegment: 'the parent named by parent_id never arrived: send (and sample) the parent segment, and check that parent_id is its id',
  in_progress: 'a document sent with in_progress:true was never completed: end every segment/span you start (end_segment(), span.end())',
  unsupported: 'only X-Ray segment documents and ADOT T1S/T1U trace frames are accepted on this port; send metrics elsewhere',
  dropped: 'the console could not keep up and dropped documents; slow the sender down or raise the console\'s limits',
};

/** A refusal: the kind and what exactly was wrong. */
export interface Problem {
  kind: ProblemKind;
  detail: string;
}

/** Largest document accepted, in UTF-8 bytes: the documented 64 kB (§2.3). */
export const MAX_DOCUMENT_BYTES = 64_000;
const HEX16 = /^[0-9a-f]{16}$/;
const TRACE_ID = /^1-([0-9a-f]{8})-[0-9a-f]{24}$/;
const MAX_AGE_S = 30 * 86_400;
const MAX_AHEAD_S = 5 * 60;
// X-Ray's OTLP endpoint checks span times instead (XRAY-REFERENCE §2.5): ≤ 14 days past, ≤ 2 h ahead.
const OTLP_MAX_AGE_S = 14 * 86_400;
const OTLP_MAX_AHEAD_S = 2 * 3600;

/** Checks one document's JSON text; the storable document, or the problem. */
export function checkDocument(text: string, nowMs: number = Date.now(), rules: 'segments' | 'otlp' = 'segments'): { doc: IncomingDocument; parsed: Record<string, unknown> } | Problem {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_DOCUMENT_BYTES) return { kind: 'oversized', detail: `the document is ${bytes} bytes, over the ${MAX_DOCUMENT_BYTES}-byte limit` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { kind: 'malformed', detail: `the document is not JSON: ${(err as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { kind: 'malformed', detail: 'the document is not a JSON object' };
  const doc = parsed as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof doc.name !== 'string' || doc.name.length === 0 || doc.name.length > 200) missing.push('name (1-200 characters)');
  if (typeof doc.id !== 'string' || !HEX16.test(doc.id)) missing.push('id (16 lowercase hex)');
  if (typeof doc.start_time !== 'number' || !Number.isFinite(doc.start_time)) missing.push('start_time (epoch seconds)');
  if (doc.in_progress !== true && (typeof doc.end_time !== 'number' || !Number.isFinite(doc.end_time))) missing.push('end_time or in_progress:true');
  if (doc.type !== undefined && doc.type !== 'subsegment') missing.push('type ("subsegment" or absent)');
  if (doc.type === 'subsegment' && (typeof doc.parent_id !== 'string' || !HEX16.test(doc.parent_id))) missing.push('parent_id (16 hex)');
  if (typeof doc.trace_id !== 'string') missing.push('trace_id');
  if (missing.length > 0) return { kind: 'missing_fields', detail: `missing or invalid: ${missing.join(', ')}` };
  const traceId = doc.trace_id as string;
  const m = TRACE_ID.exec(traceId);
  if (!m) return { kind: 'rejected_trace_id', detail: `trace_id ${JSON.stringify(traceId.slice(0, 60))} is not 1-<8 hex>-<24 hex>` };
  const now = nowMs / 1000;
  if (rules === 'otlp') {
    // OTLP spans keep their W3C trace id (random first 32 bits), as X-Ray's OTLP endpoint accepts.
    const start = doc.start_time as number;
    if (start < now - OTLP_MAX_AGE_S || start > now + OTLP_MAX_AHEAD_S) {
      return { kind: 'malformed', detail: `span ${doc.id as string} starts ${new Date(start * 1000).toISOString()}, outside X-Ray's OTLP window (14 days past to 2 hours ahead)` };
    }
  } else {
    const epoch = parseInt(m[1]!, 16);
    if (epoch < now - MAX_AGE_S) return { kind: 'rejected_trace_id', detail: `trace_id ${traceId} is stamped ${new Date(epoch * 1000).toISOString()}, more than 30 days ago` };
    if (epoch > now + MAX_AHEAD_S) return { kind: 'rejected_trace_id', detail: `trace_id ${traceId} is stamped ${new Date(epoch * 1000).toISOString()}, more than 5 minutes ahead` };
  }
  return { doc: { traceId, id: doc.id as string, inProgress: doc.in_progress === true, raw: text, parsed: doc }, parsed: doc };
}

/** True when `value` is a problem rather than an accepted document. */
export function isProblem(value: object): value is Problem {
  return 'kind' in value;
}
