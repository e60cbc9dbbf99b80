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
  const walk = (entity: Entity, until: number) => {
    if (path.has(entity)) return;
    path.add(entity);
    const kids = [...entity.children, ...entity.callees].sort((a, b) => b.end - a.end);
    let cursor = Math.min(entity.end, until);
    for (const kid of kids) {
      if (kid.end <= cursor + 1e-6 && kid.end > entity.start - 1e-6) {
        walk(kid, cursor);
        cursor = kid.start;
      }
    }
  };
  if (root !== undefined) walk(root, root.end);
  return path;
}
