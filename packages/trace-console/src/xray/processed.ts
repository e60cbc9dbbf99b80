/**
 * The documents BatchGetTraces returns: X-Ray's *processed* form (XRAY-REFERENCE §7.2
 * Trace, §3.9) rather than the raw ones. Independent subsegments are embedded under the
 * entity their `parent_id` names, and a downstream call (`remote`/`aws` subsegment) that no
 * segment answered gets an inferred segment. The console's own `/api/traces/{id}` keeps
 * the documents as received.
 */
import { createHash } from 'node:crypto';

type Doc = Record<string, unknown>;

/** Processed segment documents of one trace, from its stored documents. */
export function processedSegments(raw: readonly object[]): Doc[] {
  const docs = raw.map((d) => structuredClone(d) as Doc);
  const byId = new Map<string, Doc>();
  // The top-level document each entity sits in: a subsegment is embedded only under an entity
  // whose top-level document is a segment, so malformed parent_id cycles cannot nest forever.
  const owner = new Map<Doc, Doc>();
  const index = (doc: Doc, top: Doc) => {
    owner.set(doc, top);
    if (typeof doc.id === 'string' && !byId.has(doc.id)) byId.set(doc.id, doc);
    if (Array.isArray(doc.subsegments)) for (const s of doc.subsegments) if (s && typeof s === 'object') index(s as Doc, top);
  };
  for (const d of docs) index(d, d);
  const out = docs.filter((d) => d.type !== 'subsegment');
  let pending = docs.filter((d) => d.type === 'subsegment');
  for (let progress = true; progress && pending.length > 0; ) {
    progress = false;
    pending = pending.filter((sub) => {
      const parent = byId.get(sub.parent_id as string);
      const top = parent === undefined ? undefined : owner.get(parent)!;
      if (top === undefined || top.type === 'subsegment') return true;
      delete sub.type;
      delete sub.trace_id;
      delete sub.parent_id;
      parent!.subsegments = [...(Array.isArray(parent!.subsegments) ? parent!.subsegments : []), sub];
      index(sub, top);
      progress = true;
      return false;
    });
  }
  out.push(...pending); // orphans stay as they came
  const called = new Set(out.filter((d) => d.type !== 'subsegment' && typeof d.parent_id === 'string').map((d) => d.parent_id as string));
  const traceId = out.find((d) => typeof d.trace_id === 'string')?.trace_id;
  for (const entity of byId.values()) {
    if ((entity.namespace !== 'remote' && entity.namespace !== 'aws') || called.has(entity.id as string)) continue;
    out.push(inferred(entity, traceId));
  }
  return out;
}

/** The inferred segment X-Ray draws for an unanswered downstream call (§3.9). */
function inferred(call: Doc, traceId: unknown): Doc {
  const aws = (call.aws ?? {}) as Doc;
  const doc: Doc = {
    // Derived from the call's id, so every read of the trace shows the same id.
    id: createHash('sha256').update(`inferred:${String(call.id)}`).digest('hex').slice(0, 16),
    name: call.name,
    trace_id: traceId,
    parent_id: call.id,
    start_time: call.start_time,
    inferred: true,
  };
  if (call.end_time !== undefined) doc.end_time = call.end_time;
  else doc.in_progress = true;
  if (call.namespace === 'aws') doc.origin = typeof aws.table_name === 'string' ? `AWS::${String(call.name)}::Table` : `AWS::${String(call.name)}`;
  for (const key of ['http', 'error', 'fault', 'throttle', 'cause'] as const) if (call[key] !== undefined) doc[key] = call[key];
  return doc;
}
