/**
 * Draws a service graph with dagre's layered layout (left to right): each node a ring whose
 * arcs are its ok / 4xx / 429 / 5xx shares in X-Ray's colours, each edge an arrow labelled
 * with its count. Used by the service map and by a trace's own small map.
 */
import dagre from '@dagrejs/dagre';
import { s } from './dom.ts';
import type { Health } from './format.ts';

/** A node to draw. */
export interface GraphNodeView {
  /** Unique among the nodes (a service and an inferred callee may share a name). */
  id: string;
  /** What is written under the ring, and the node's `data-name`. */
  label: string;
  type: 'client' | 'service' | 'remote';
  shares: Record<Health, number>;
  /** Up to two short lines inside the ring (latency, rate). */
  lines: string[];
}

/** An edge to draw. */
export interface GraphEdgeView {
  /** Node ids. */
  from: string;
  to: string;
  label: string;
  health: Health;
}

/** Options: ring size and click handlers. */
export interface GraphViewOptions {
  radius?: number;
  onNode?: (node: GraphNodeView) => void;
  onEdge?: (edge: GraphEdgeView) => void;
}

const order: Health[] = ['ok', 'error', 'throttle', 'fault'];
/**
 * The label of a callee known only from its caller's subsegment (no segment of its own
 * arrived): its name, marked when a service of that name is on the same map.
 */
export function calleeLabel(name: string, serviceOfThatName: boolean): string {
  return serviceOfThatName ? `${name} (inferred)` : name;
}

/** How far above its box's centre a node's ring is drawn (its label goes below). */
const RING_RAISE = 8;
let uid = 0;

/** Lays out and renders the graph as an SVG sized to its content. */
export function graphView(nodes: GraphNodeView[], edges: GraphEdgeView[], options: GraphViewOptions = {}): SVGSVGElement {
  const r = options.radius ?? 30;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: r * 1.2, ranksep: r * 3, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: Math.max(r * 2 + 8, n.label.length * 7), height: r * 2 + 24 });
  for (const e of edges) if (g.hasNode(e.from) && g.hasNode(e.to)) g.setEdge(e.from, e.to, { width: 30, height: 14 });
  dagre.layout(g);
  const size = g.graph();
  const marker = `arrow-${++uid}`;
  const labelOf = new Map(nodes.map((n) => [n.id, n.label]));
  const svg = s(
    'svg',
    { class: 'graph', viewBox: `0 0 ${size.width ?? 100} ${size.height ?? 100}`, width: size.width ?? 100, height: size.height ?? 100, role: 'img' },
    s('defs', {}, s('marker', { id: marker, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }))),
  );

  for (const e of edges) {
    if (!g.hasEdge(e.from, e.to)) continue;
    const laid = g.edge(e.from, e.to) as { points: { x: number; y: number }[]; x?: number; y?: number };
    // Rings are drawn 8 px above their box's centre (the label is below), so edges are raised
    // as much; and dagre ends an edge at the box, wider than the ring for a long label, so
    // both ends are moved onto the rings.
    const pts = laid.points.map((p) => ({ x: p.x, y: p.y - RING_RAISE }));
    if (pts.length >= 2) {
      toRing(pts[0]!, pts[1]!, g.node(e.from), r);
      toRing(pts[pts.length - 1]!, pts[pts.length - 2]!, g.node(e.to), r);
    }
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
    const mid = laid.x !== undefined ? { x: laid.x, y: (laid.y ?? 0) - RING_RAISE } : pts[Math.floor(pts.length / 2)]!;
    const from = labelOf.get(e.from)!;
    const to = labelOf.get(e.to)!;
    const group = s(
      'g',
      { class: `edge ${e.health}`, 'data-from': from, 'data-to': to, tabindex: options.onEdge ? 0 : undefined, role: options.onEdge ? 'button' : undefined, 'aria-label': `${from} to ${to}: ${e.label}` },
      s('path', { d, class: 'edge-line', 'marker-end': `url(#${marker})` }),
      s('path', { d, class: 'edge-hit' }),
      s('text', { x: mid.x, y: mid.y - 4, 'text-anchor': 'middle', class: 'edge-label' }, e.label),
    );
    if (options.onEdge) bindActivate(group, () => options.onEdge!(e));
    svg.append(group);
  }

  for (const n of nodes) {
    const laid = g.node(n.id);
    const cx = laid.x;
    const cy = laid.y - RING_RAISE;
    const ring = s('g', { class: 'ring' });
    const circumference = 2 * Math.PI * r;
    const total = order.reduce((sum, k) => sum + n.shares[k], 0);
    ring.append(s('circle', { cx, cy, r, class: 'ring-track' }));
    let offset = 0;
    for (const k of order) {
      if (total === 0 || n.shares[k] === 0) continue;
      const len = (n.shares[k] / total) * circumference;
      ring.append(s('circle', { cx, cy, r, class: `arc ${k}`, 'stroke-dasharray': `${len} ${circumference - len}`, 'stroke-dashoffset': -offset, transform: `rotate(-90 ${cx} ${cy})` }, s('title', {}, `${k}: ${Math.round((n.shares[k] / total) * 100)}%`)));
      offset += len;
    }
    const group = s(
      'g',
      { class: `node ${n.type}`, 'data-name': n.label, tabindex: options.onNode ? 0 : undefined, role: options.onNode ? 'button' : undefined, 'aria-label': `${n.type} ${n.label}` },
      ring,
      ...n.lines.map((line, i) => s('text', { x: cx, y: cy + (i - (n.lines.length - 1) / 2) * 13 + 4, 'text-anchor': 'middle', class: 'node-stat' }, line)),
      s('text', { x: cx, y: cy + r + 16, 'text-anchor': 'middle', class: 'node-label' }, n.label),
    );
    if (options.onNode) bindActivate(group, () => options.onNode!(n));
    svg.append(group);
  }
  return svg;
}

/** Moves an edge's end `p` onto the ring of `node`, along the line from its neighbour `q`. */
function toRing(p: { x: number; y: number }, q: { x: number; y: number }, node: { x: number; y: number }, r: number): void {
  const cx = node.x;
  const cy = node.y - RING_RAISE;
  const dx = q.x - cx;
  const dy = q.y - cy;
  const len = Math.hypot(dx, dy);
  // Rings are stroked 7 px wide: the arrow tip stops at the stroke's outer edge.
  const reach = r + 4;
  if (len <= reach) return;
  p.x = cx + (dx / len) * reach;
  p.y = cy + (dy / len) * reach;
}

function bindActivate(el: Element, run: () => void): void {
  el.addEventListener('click', run);
  el.addEventListener('keydown', (ev) => {
    const key = (ev as KeyboardEvent).key;
    if (key === 'Enter' || key === ' ') {
      ev.preventDefault();
      run();
    }
  });
}
