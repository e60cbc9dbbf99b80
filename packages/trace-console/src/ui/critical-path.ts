/**
 * The critical path of a trace (Jaeger's definition): starting at the root, the child that
 * finished last is on the path; before its start, the child that finished last before that
 * moment, and so on, recursively. Children are subsegments and the downstream segments
 * they called. Work not covered by any child is the entity's own (self) time.
 */
import type { Entity } from '../model/graph.ts';

/** Entities on the critical path starting at `root`. */
export function criticalPath(root: Entity | undefined): Set<Entity> {
  const path = new Set<Entity>();
  // `end` is the entity's end trimmed to its parent's (as Jaeger does first): a callee whose
  // segment ends a little after the caller's subsegment (its clock, or an end recorded once
  // the response was written) still lies on the path, up to its caller's end.
  const walk = (entity: Entity, end: number) => {
    if (path.has(entity)) return;
    path.add(entity);
    const kids: { kid: Entity; end: number }[] = [];
    for (const kid of [...entity.children, ...entity.callees]) if (kid.start < end) kids.push({ kid, end: Math.min(kid.end, end) });
    kids.sort((a, b) => b.end - a.end);
    let cursor = end;
    for (const { kid, end: kidEnd } of kids) {
      if (kidEnd <= cursor + 1e-6 && kidEnd > entity.start - 1e-6) {
        walk(kid, kidEnd);
        cursor = kid.start;
      }
    }
  };
  if (root !== undefined) walk(root, root.end);
  return path;
}
