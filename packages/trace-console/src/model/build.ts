/**
 * Segment documents → FilterTrace: trace-level summary (as GetTraceSummaries reports it),
 * the trace graph's nodes and edges (XRAY-REFERENCE.md §6) and root causes.
 */
import { buildEntityGraph, obj, str, type Doc, type Entity } from './graph.ts';
import type { FilterAnnotations, FilterEdge, FilterNode, FilterTrace } from './model.ts';
import { findRootCauses } from './rootcauses.ts';

/**
 * Builds the filter model of one trace from its documents: segments (with embedded
 * subsegments) and/or independent `type: "subsegment"` documents, any order, possibly
 * several versions of one id (the complete one wins over an in-progress one).
 */
export function buildFilterTrace(segments: readonly object[]): FilterTrace {
  const graph = buildEntityGraph(segments);
  const { entities, root } = graph;
  const nodes = new Map<string, NodeAcc>();
  const nodeOf = new Map<Entity, FilterNode>();
  for (const segment of graph.segments) nodeOf.set(segment, addSegment(nodes, segment, segment === root));
  // Each edge with the start of the call it describes, so edges list in call order.
  const calls: Array<{ at: number; edge: FilterEdge }> = [];
  const byStart = [...entities].sort((a, b) => a.start - b.start);
  for (const entity of byStart) {
    if (entity.isSegment || !entity.remote || entity.callees.length > 0) continue;
    // A downstream call nobody answered with a segment: X-Ray infers a node for the callee.
    const node = addInferred(nodes, entity);
    nodeOf.set(entity, node);
    calls.push({ at: entity.start, edge: edge(nodeOf.get(entity.segment)!, node, entity) });
  }
  for (const segment of graph.segments) {
    const callee = nodeOf.get(segment)!;
    const stats = segment.caller === null || segment.caller.isSegment ? segment : segment.caller;
    const caller = segment.caller === null ? null : nodeOf.get(segment.caller.segment)!;
    calls.push({ at: stats.start, edge: edge(caller, callee, stats) });
  }
  const edges = calls.sort((a, b) => a.at - b.at).map((c) => c.edge);
  let start = Infinity;
  let end = -Infinity;
  let partial = false;
  let throttle = false;
  let annotations: FilterAnnotations = none;
  for (const entity of entities) {
    start = Math.min(start, entity.start);
    end = Math.max(end, entity.end);
    partial ||= entity.inProgress;
    throttle ||= entity.flags.throttle;
    annotations = addAnnotations(annotations, entity.doc);
  }
  let users: string[] = empty;
  for (const { node } of nodes.values()) for (const user of node.users) if (!users.includes(user)) users = append(users, user);
  const rootFlags = root?.flags ?? { ok: true, error: false, throttle: false, fault: false };
  const trace: FilterTrace = {
    id: str(root?.doc.trace_id) ?? str(entities[0]?.doc.trace_id) ?? '',
    startTime: entities.length > 0 ? start : 0,
    duration: entities.length > 0 ? end - start : 0,
    responseTime: root === undefined ? 0 : root.end - root.start,
    partial,
    ok: rootFlags.ok,
    error: rootFlags.error,
    throttle,
    fault: rootFlags.fault,
    http: root?.http ?? {},
    annotations,
    users,
    services: [...nodes.values()].map((acc) => acc.node),
    edges,
  };
  Object.assign(trace, findRootCauses(graph, nodeOf));
  return trace;
}

function addSegment(nodes: Map<string, NodeAcc>, segment: Entity, isRoot: boolean): FilterNode {
  const doc = segment.doc;
  const node = nodeFor(nodes, segment.name, str(doc.origin) ?? 'service', false, segment);
  node.root ||= isRoot;
  node.partial ||= segment.inProgress;
  node.responseTime = Math.max(node.responseTime, segment.end - segment.start);
  const user = str(doc.user);
  if (user !== undefined && !node.users.includes(user)) node.users = append(node.users, user);
  const aws = obj(doc.aws);
  const ec2 = obj(aws.ec2);
  node.accountId ??= str(aws.account_id);
  node.availabilityZone ??= str(ec2.availability_zone);
  node.instanceId ??= str(ec2.instance_id);
  node.resourceArn ??= str(doc.resource_arn);
  // The node's own work includes its subsegments (local and calls), not the callees' segments.
  const walk = (e: Entity) => {
    node.annotations = addAnnotations(node.annotations, e.doc);
    for (const x of e.exceptions) node.exceptions = append(node.exceptions, x);
    e.children.forEach(walk);
  };
  walk(segment);
  return node;
}

function addInferred(nodes: Map<string, NodeAcc>, call: Entity): FilterNode {
  const doc = call.doc;
  const aws = obj(doc.aws);
  let type = 'remote';
  if (doc.namespace === 'aws') type = call.name === 'DynamoDB' && str(aws.table_name) !== undefined ? 'AWS::DynamoDB::Table' : `AWS::${call.name}`;
  const node = nodeFor(nodes, call.name, type, true, call);
  node.responseTime = Math.max(node.responseTime, call.end - call.start);
  node.partial ||= call.inProgress;
  for (const x of call.exceptions) node.exceptions = append(node.exceptions, x);
  node.accountId ??= str(aws.account_id);
  return node;
}

/** A node being built, with the time span of all its entities (for `duration`). */
interface NodeAcc {
  node: FilterNode;
  start: number;
  end: number;
}

/** The node for name + type, created from its first (earliest) entity; flags accumulate. */
function nodeFor(nodes: Map<string, NodeAcc>, name: string, type: string, inferred: boolean, entity: Entity): FilterNode {
  const key = `${name}\u0000${type}`;
  let acc = nodes.get(key);
  if (acc === undefined) {
    const node: FilterNode = {
      name,
      type,
      root: false,
      inferred,
      partial: false,
      ok: false,
      error: false,
      throttle: false,
      fault: false,
      responseTime: 0,
      duration: 0,
      http: entity.http,
      annotations: none,
      users: empty,
      exceptions: empty,
      accountId: undefined,
      availabilityZone: undefined,
      instanceId: undefined,
      resourceArn: undefined,
    };
    acc = { node, start: entity.start, end: entity.end };
    nodes.set(key, acc);
  }
  const node = acc.node;
  node.ok ||= entity.flags.ok;
  node.error ||= entity.flags.error;
  node.throttle ||= entity.flags.throttle;
  node.fault ||= entity.flags.fault;
  acc.start = Math.min(acc.start, entity.start);
  acc.end = Math.max(acc.end, entity.end);
  node.duration = acc.end - acc.start;
  return node;
}

function edge(from: FilterNode | null, to: FilterNode, stats: Entity): FilterEdge {
  return {
    source: from?.name ?? 'client',
    sourceType: from?.type ?? 'client',
    destination: to.name,
    destinationType: to.type,
    ...stats.flags,
    responseTime: stats.end - stats.start,
    http: stats.http,
  };
}

/**
 * Adds a document's annotations; returns the (possibly new) map. Maps and lists start as
 * shared frozen empties and are copied on first write: a store keeps up to 100 000 of
 * these models in memory and most nodes have no annotations, users or exceptions.
 */
function addAnnotations(into: FilterAnnotations, doc: Doc): FilterAnnotations {
  const annotations = obj(doc.annotations);
  let out = into;
  for (const key of Object.keys(annotations)) {
    const value = annotations[key];
    if (typeof value !== 'string' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) continue;
    if (out === none) out = {};
    // A plain object stays compact; defineProperty keeps a "__proto__" key an own property.
    if (key === '__proto__') {
      if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value: [], enumerable: true, writable: true, configurable: true });
    } else {
      out[key] ??= [];
    }
    if (!out[key].includes(value)) out[key].push(value);
  }
  return out;
}

/** Shared empty annotations (frozen: copy before writing). */
const none: FilterAnnotations = Object.freeze({}) as FilterAnnotations;
/** Shared empty list (frozen: `append` copies it). */
const empty: never[] = Object.freeze([]) as unknown as never[];

/** Pushes onto a list, first replacing the shared empty one. */
function append<T>(list: T[], item: T): T[] {
  if (list === empty) return [item];
  list.push(item);
  return list;
}
