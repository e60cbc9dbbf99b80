/**
 * Root causes from the entity graph: an approximation of X-Ray's FaultRootCauses,
 * ErrorRootCauses and ResponseTimeRootCauses (its exact algorithm is not public).
 *
 * - fault/error: every faulted (errored) entity none of whose subsegments or callee
 *   segments is faulted (errored) is a culprit; its service is the node it belongs to
 *   (the inferred node for an unanswered downstream call) and its entity path runs from
 *   that node's segment down to the culprit.
 * - response time: from the root segment, step into the longest subsegment or callee
 *   while it covers at least half of the current entity's time; where that stops is the
 *   culprit. Coverage = entity time / root response time.
 */
import type { Entity, EntityGraph } from './graph.ts';
import type { FilterFlags, FilterNode, FilterRootCause, FilterRootCauseEntity } from './model.ts';

/** The root-cause lists of a trace; an empty list is left out (the model reads missing as none). */
export function findRootCauses(graph: EntityGraph, nodeOf: ReadonlyMap<Entity, FilterNode>): Partial<Record<RootCauseList, FilterRootCause[]>> {
  const out: Partial<Record<RootCauseList, FilterRootCause[]>> = {};
  const fault = culprits(graph, nodeOf, 'fault');
  const error = culprits(graph, nodeOf, 'error');
  const slow = slowest(graph, nodeOf);
  if (fault.length > 0) out.faultRootCauses = fault;
  if (error.length > 0) out.errorRootCauses = error;
  if (slow.length > 0) out.responseTimeRootCauses = slow;
  return out;
}

type RootCauseList = 'faultRootCauses' | 'errorRootCauses' | 'responseTimeRootCauses';

function culprits(graph: EntityGraph, nodeOf: ReadonlyMap<Entity, FilterNode>, flag: keyof FilterFlags): FilterRootCause[] {
  const causes: FilterRootCause[] = [];
  const seen = new Set<string>();
  for (const entity of graph.entities) {
    if (!entity.flags[flag]) continue;
    if (entity.children.some((c) => c.flags[flag]) || entity.callees.some((c) => c.flags[flag])) continue;
    const cause = causeAt(entity, nodeOf, undefined);
    const key = `${cause.service.name}\u0000${cause.service.type}\u0000${cause.entities.map((e) => e.name).join('\u0000')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    causes.push(cause);
  }
  return causes;
}

function slowest(graph: EntityGraph, nodeOf: ReadonlyMap<Entity, FilterNode>): FilterRootCause[] {
  const root = graph.root;
  if (root === undefined) return [];
  const total = root.end - root.start;
  if (!(total > 0)) return [];
  const visited = new Set<Entity>([root]);
  let at = root;
  for (;;) {
    let best: Entity | undefined;
    for (const next of [...at.children, ...at.callees]) {
      if (!visited.has(next) && (best === undefined || time(next) > time(best))) best = next;
    }
    if (best === undefined || time(best) < time(at) / 2) break;
    visited.add(best);
    at = best;
  }
  return [causeAt(at, nodeOf, total)];
}

const time = (e: Entity) => e.end - e.start;

/** The root cause blaming `culprit`; `total` (root response time) adds coverage. */
function causeAt(culprit: Entity, nodeOf: ReadonlyMap<Entity, FilterNode>, total: number | undefined): FilterRootCause {
  const path: Entity[] = [culprit];
  let head = culprit;
  while (!nodeOf.has(head) && head.parent !== null) {
    head = head.parent;
    path.unshift(head);
  }
  const node = nodeOf.get(head) ?? nodeOf.get(culprit.segment)!;
  const entities: FilterRootCauseEntity[] = path.map((e, index) => {
    const entity: FilterRootCauseEntity = {
      name: e.name,
      remote: e.remote || e.exceptions.some((x) => x.remote),
      index,
      last: index === path.length - 1,
      exceptions: e.exceptions,
    };
    if (total !== undefined) entity.coverage = time(e) / total;
    return entity;
  });
  const service: FilterRootCause['service'] = { name: node.name, type: node.type, inferred: node.inferred };
  if (node.accountId !== undefined) service.accountId = node.accountId;
  if (total !== undefined) service.coverage = time(head) / total;
  return { service, entities };
}
