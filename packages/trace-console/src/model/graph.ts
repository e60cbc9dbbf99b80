/**
 * Raw X-Ray segment documents → an entity graph: every segment and subsegment (embedded or
 * sent independently) with its enclosing entity, its subsegments, and the downstream
 * segments whose `parent_id` points at it. Field meanings follow XRAY-REFERENCE.md §3.
 */
import type { FilterException, FilterFlags, FilterHttp } from './model.ts';

/** A raw document (segment or subsegment) as parsed JSON. */
export type Doc = Record<string, unknown>;

/** One segment or subsegment with its links. */
export interface Entity {
  doc: Doc;
  id: string;
  name: string;
  isSegment: boolean;
  /** The segment this entity belongs to (itself for a segment). */
  segment: Entity;
  /** Enclosing entity; null for a segment. */
  parent: Entity | null;
  /** Subsegments directly inside it. */
  children: Entity[];
  /** Segments whose `parent_id` is this entity's id (calls it made that were traced downstream). */
  callees: Entity[];
  /** The entity this segment was called from (`parent_id` resolved inside the trace), if any. */
  caller: Entity | null;
  start: number;
  /** `end_time`, or for an in-progress entity the latest end inside it (a lower bound). */
  end: number;
  inProgress: boolean;
  /** `remote` or `aws` namespace: a downstream call. */
  remote: boolean;
  flags: FilterFlags;
  http: FilterHttp;
  exceptions: FilterException[];
}

/** The linked entities of one trace. */
export interface EntityGraph {
  /** Every entity, segments first in start order, then subsegments in document order. */
  entities: Entity[];
  /** Segments in start order. */
  segments: Entity[];
  /** The entry point: a segment with no caller (preferably no `parent_id` at all), earliest first. */
  root: Entity | undefined;
}

/** Links documents into a graph; unknown shapes are skipped, orphan subsegments are dropped. */
export function buildEntityGraph(docs: readonly object[]): EntityGraph {
  const latest = newestVersions(docs);
  const byId = new Map<string, Entity>();
  const entities: Entity[] = [];
  const segments: Entity[] = [];
  const pending: Doc[] = [];
  for (const doc of latest) {
    if (doc.type === 'subsegment') pending.push(doc);
    else segments.push(register(doc, null, null, byId, entities));
  }
  // Independent subsegments may hang off each other: attach until nothing more fits.
  for (let progress = true; progress; ) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const parent = byId.get(str(pending[i].parent_id) ?? '');
      if (parent === undefined || byId.has(str(pending[i].id)!)) continue;
      parent.children.push(register(pending[i], parent.segment, parent, byId, entities));
      pending.splice(i--, 1);
      progress = true;
    }
  }
  for (const segment of segments) {
    const caller = byId.get(str(segment.doc.parent_id) ?? '');
    if (caller !== undefined && caller.segment !== segment) {
      segment.caller = caller;
      caller.callees.push(segment);
    }
  }
  for (const segment of segments) settleEnd(segment);
  segments.sort((a, b) => a.start - b.start);
  const roots = segments.filter((s) => s.caller === null);
  const root = roots.find((s) => s.doc.parent_id === undefined) ?? roots[0] ?? segments[0];
  return { entities, segments, root };
}

/** One document per id: a complete version beats an in-progress one, otherwise the later wins. */
function newestVersions(docs: readonly object[]): Doc[] {
  const byId = new Map<string, Doc>();
  for (const raw of docs) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const doc = raw as Doc;
    const id = str(doc.id);
    if (id === undefined) continue;
    const seen = byId.get(id);
    if (seen !== undefined && seen.in_progress !== true && doc.in_progress === true) continue;
    byId.set(id, doc);
  }
  return [...byId.values()];
}

function register(doc: Doc, segment: Entity | null, parent: Entity | null, byId: Map<string, Entity>, all: Entity[]): Entity {
  const start = num(doc.start_time) ?? 0;
  const entity: Entity = {
    doc,
    id: str(doc.id) ?? '',
    name: str(doc.name) ?? '',
    isSegment: segment === null,
    segment: null as unknown as Entity, // set just below: a segment owns itself
    parent,
    children: [],
    callees: [],
    caller: null,
    start,
    end: num(doc.end_time) ?? start,
    inProgress: doc.in_progress === true || num(doc.end_time) === undefined,
    remote: doc.namespace === 'remote' || doc.namespace === 'aws',
    flags: flagsOf(doc),
    http: httpOf(doc),
    exceptions: exceptionsOf(doc),
  };
  entity.segment = segment ?? entity;
  if (!byId.has(entity.id)) byId.set(entity.id, entity);
  all.push(entity);
  const subs = doc.subsegments;
  if (Array.isArray(subs)) {
    for (const sub of subs) {
      if (sub !== null && typeof sub === 'object' && !Array.isArray(sub) && str((sub as Doc).id) !== undefined) {
        entity.children.push(register(sub as Doc, entity.segment, entity, byId, all));
      }
    }
  }
  return entity;
}

/** Gives in-progress entities the latest end found inside them. */
function settleEnd(entity: Entity): number {
  let end = entity.end;
  for (const child of entity.children) end = Math.max(end, settleEnd(child));
  if (entity.inProgress) entity.end = end;
  return entity.end;
}

/** X-Ray's classes from the flags, or from the status when a sender set only that. */
export function flagsOf(doc: Doc): FilterFlags {
  const status = num(obj(obj(doc.http).response).status) ?? 0;
  const throttle = doc.throttle === true || status === 429;
  const error = doc.error === true || throttle || (status >= 400 && status < 500);
  const fault = doc.fault === true || (status >= 500 && status < 600);
  return { ok: !error && !fault && !throttle, error, throttle, fault };
}

function httpOf(doc: Doc): FilterHttp {
  const http = obj(doc.http);
  const request = obj(http.request);
  const out: FilterHttp = {};
  const url = str(request.url);
  const method = str(request.method);
  const status = num(obj(http.response).status);
  const useragent = str(request.user_agent);
  const clientip = str(request.client_ip);
  if (url !== undefined) out.url = url;
  if (method !== undefined) out.method = method;
  if (status !== undefined) out.status = status;
  if (useragent !== undefined) out.useragent = useragent;
  if (clientip !== undefined) out.clientip = clientip;
  return out;
}

function exceptionsOf(doc: Doc): FilterException[] {
  const list = obj(doc.cause).exceptions;
  if (!Array.isArray(list)) return [];
  return list.map((e) => {
    const ex = obj(e);
    return { name: str(ex.type) ?? '', message: str(ex.message) ?? '', remote: ex.remote === true };
  });
}

/** The value if it is a string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The value if it is a finite number. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The value if it is a plain object, else an empty one (so paths never throw). */
export function obj(value: unknown): Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
}
