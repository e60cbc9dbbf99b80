/**
 * Two traces compared span by span (`GET /api/diff?a=&b=`): both span trees aligned (by
 * service, then name, then position among siblings of that name), each pair's duration and
 * delta, spans only in one, errors that appear or vanish, and each trace's critical path.
 * Children of a span are its subsegments and the downstream segments it called.
 */
import { buildEntityGraph, type Entity } from '../model/graph.ts';
import { criticalPath } from '../ui/critical-path.ts';
import type { DiffRow, DiffSpan, TraceDiff } from './contract.ts';

export type { DiffRow, DiffSpan, TraceDiff } from './contract.ts';

const health = (e: Entity): DiffSpan['status'] => (e.flags.fault ? 'fault' : e.flags.throttle ? 'throttle' : e.flags.error ? 'error' : 'ok');
const kids = (e: Entity) => [...e.children, ...e.callees].sort((x, y) => x.start - y.start);
const keyOf = (e: Entity) => `${e.segment.name}\u0000${e.name}`;

/** Compares trace A's documents with trace B's. */
export function diffTraces(idA: string, docsA: readonly object[], idB: string, docsB: readonly object[]): TraceDiff {
  const ga = buildEntityGraph(docsA);
  const gb = buildEntityGraph(docsB);
  const ca = criticalPath(ga.root);
  const cb = criticalPath(gb.root);
  const t0a = ga.root?.start ?? 0;
  const t0b = gb.root?.start ?? 0;
  const side = (e: Entity, t0: number, critical: Set<Entity>): DiffSpan => ({
    id: e.id,
    duration: e.end - e.start,
    offset: e.start - t0,
    status: health(e),
    ...(e.http.status !== undefined ? { http_status: e.http.status } : {}),
    critical: critical.has(e),
  });
  const rows: DiffRow[] = [];
  const visit = (a: Entity | undefined, b: Entity | undefined, depth: number, index: number) => {
    const any = (a ?? b)!;
    const row: DiffRow = { depth, service: any.segment.name, name: any.name, index };
    if (a) row.a = side(a, t0a, ca);
    if (b) row.b = side(b, t0b, cb);
    if (a && b) {
      row.delta = row.b!.duration - row.a!.duration;
      if (row.a!.status === 'ok' && row.b!.status !== 'ok') row.error_change = 'appeared';
      if (row.a!.status !== 'ok' && row.b!.status === 'ok') row.error_change = 'vanished';
    } else row.only = a ? 'a' : 'b';
    rows.push(row);
    // Pair children by service and name, the n-th of A with the n-th of B (in start order).
    const ka = a ? kids(a) : [];
    const kb = b ? kids(b) : [];
    const groups = new Map<string, { a: Entity[]; b: Entity[] }>();
    for (const [list, which] of [[ka, 'a'], [kb, 'b']] as const) {
      for (const k of list) {
        let g = groups.get(keyOf(k));
        if (g === undefined) groups.set(keyOf(k), (g = { a: [], b: [] }));
        g[which].push(k);
      }
    }
    const pairs: { a?: Entity; b?: Entity; n: number; at: number }[] = [];
    for (const g of groups.values()) {
      for (let n = 0; n < Math.max(g.a.length, g.b.length); n++) {
        const pa = g.a[n];
        const pb = g.b[n];
        pairs.push({ a: pa, b: pb, n, at: Math.min(pa ? pa.start - t0a : Infinity, pb ? pb.start - t0b : Infinity) });
      }
    }
    for (const p of pairs.sort((x, y) => x.at - y.at)) visit(p.a, p.b, depth + 1, p.n);
  };
  if (ga.root || gb.root) visit(ga.root, gb.root, 0, 0);
  const path = (g: ReturnType<typeof buildEntityGraph>, c: Set<Entity>) => g.entities.filter((e) => c.has(e)).sort((x, y) => x.start - y.start).map((e) => `${e.segment.name}: ${e.name}`);
  const duration = (g: ReturnType<typeof buildEntityGraph>) => (g.entities.length ? Math.max(...g.entities.map((e) => e.end)) - Math.min(...g.entities.map((e) => e.start)) : 0);
  const da = duration(ga);
  const db = duration(gb);
  return {
    a: { id: idA, duration: da, spans: ga.entities.length, critical_path: path(ga, ca) },
    b: { id: idB, duration: db, spans: gb.entities.length, critical_path: path(gb, cb) },
    delta: db - da,
    rows,
    counts: {
      matched: rows.filter((r) => r.a && r.b).length,
      only_a: rows.filter((r) => r.only === 'a').length,
      only_b: rows.filter((r) => r.only === 'b').length,
      errors_appeared: rows.filter((r) => r.error_change === 'appeared').length,
      errors_vanished: rows.filter((r) => r.error_change === 'vanished').length,
    },
  };
}
