/**
 * Trace page: summary header, toolbar (search with next/previous, collapse/expand, UTC/local,
 * download, raw documents), the waterfall, the detail panel and the trace's own small map.
 */
import { buildEntityGraph, type Entity, type EntityGraph } from '../../model/graph.ts';
import { getJson, type TraceDocuments } from '../api.ts';
import { criticalPath } from '../critical-path.ts';
import { renderDetail } from '../detail.ts';
import { diagnosisPanel, fetchDiagnosis, missingTracePage } from '../diagnosis-view.ts';
import { h, replace } from '../dom.ts';
import { duration, health, setUtc, time, useUtc, type Health } from '../format.ts';
import { calleeLabel, graphView, type GraphEdgeView, type GraphNodeView } from '../graph-view.ts';
import { param, setParams } from '../state.ts';
import { waterfall } from '../waterfall.ts';

/** Renders the trace `id` into `root`; returns its cleanup. */
export function tracePage(root: HTMLElement, id: string, rerender: () => void): () => void {
  const controller = new AbortController();
  replace(root, h('p', { class: 'muted' }, `Loading trace ${id}…`));
  // The diagnosis first: it answers for any id (200), so an id never stored gets its page
  // without a 404 in the browser's console; a stored one is then fetched and drawn.
  const failed = (e: unknown) => {
    if (!controller.signal.aborted) replace(root, h('div', { class: 'empty' }, h('h2', {}, 'Trace not found'), h('p', {}, `${id}: ${e instanceof Error ? e.message : String(e)}`), h('a', { href: '/' }, 'Back to traces')));
  };
  fetchDiagnosis(id, controller.signal)
    .then(async (d) => {
      if (!d.stored) return replace(root, missingTracePage(d));
      const trace = await getJson<TraceDocuments>(`/api/traces/${encodeURIComponent(id)}`, controller.signal);
      const started = performance.now();
      const select = show(root, trace, rerender);
      root.dataset.renderMs = String(Math.round(performance.now() - started));
      root.querySelector('.diagnosis-slot')?.replaceChildren(diagnosisPanel(d, select));
    })
    .catch(failed);
  return () => controller.abort();
}

/** Renders the trace; returns a function that selects a span by id (for the diagnosis panel's links). */
function show(root: HTMLElement, trace: TraceDocuments, rerender: () => void): ((id: string) => void) | undefined {
  const graph = buildEntityGraph(trace.segments);
  if (graph.entities.length === 0) {
    // Only orphan subsegments so far (their segment has not arrived): nothing to lay out yet.
    replace(root, h('div', { class: 'empty' }, h('h2', {}, trace.id), h('p', {}, 'No segment of this trace has arrived yet.'), h('div', { class: 'diagnosis-slot' }), h('a', { href: `/api/traces/${trace.id}` }, 'Raw documents')));
    return undefined;
  }
  const critical = criticalPath(graph.root);
  const all = graph.entities;
  const detail = h('aside', { class: 'detail', 'aria-label': 'Details' });
  const select = (e: Entity | undefined) => {
    renderDetail(detail, e, all);
    setParams({ span: e?.id });
  };
  const miniMap = traceMap(graph);
  const wf = waterfall(graph, critical, select);
  const counter = h('span', { class: 'muted count', 'data-testid': 'search-count' });
  const search = h('input', {
    type: 'search',
    class: 'search',
    placeholder: 'Search spans (name, URL, status, annotation)',
    'aria-label': 'Search spans',
    value: param('q'),
  });
  const runSearch = () => {
    const n = wf.search(search.value);
    counter.textContent = search.value.trim() === '' ? '' : n === 0 ? 'no match' : `1 / ${n}`;
    setParams({ q: search.value.trim() || undefined });
  };
  const step = (dir: 1 | -1) => {
    const at = wf.step(dir);
    const total = counter.textContent?.split('/ ')[1];
    if (at > 0 && total) counter.textContent = `${at} / ${total}`;
  };
  search.addEventListener('input', runSearch);
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') (ev.preventDefault(), step(ev.shiftKey ? -1 : 1));
  });

  const root0 = graph.root;
  const status = root0?.http.status;
  const cls = root0 ? health(root0.flags) : 'ok';
  const utc = useUtc();
  replace(
    root,
    h(
      'header',
      { class: 'trace-head' },
      h('a', { href: `/${location.search.includes('filter') || location.search.includes('range') ? keepListQuery() : ''}`, class: 'back' }, '← Traces'),
      h('h2', { class: 'mono' }, trace.id),
      h('span', { class: `pill ${cls}` }, status ?? cls),
      h('span', {}, `${root0?.http.method ?? ''} ${root0?.http.url ?? ''}`),
      h('span', { class: 'muted' }, root0 ? time(root0.start) : ''),
      h('span', { class: 'muted' }, `${duration(trace.duration)} · ${all.length} spans · ${new Set(graph.segments.map((s) => s.name)).size} services`),
    ),
    h(
      'div',
      { class: 'toolbar' },
      search,
      h('button', { type: 'button', onclick: () => step(-1), 'aria-label': 'Previous match', title: 'Previous match (Shift+Enter)' }, '↑'),
      h('button', { type: 'button', onclick: () => step(1), 'aria-label': 'Next match', title: 'Next match (Enter)' }, '↓'),
      counter,
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', onclick: () => wf.collapseAll(false) }, 'Expand all'),
      h('button', { type: 'button', onclick: () => wf.collapseAll(true) }, 'Collapse all'),
      h('button', { type: 'button', 'data-testid': 'tz', onclick: () => (setUtc(!utc), rerender()), title: 'Show times in UTC or local time' }, utc ? 'UTC' : 'Local'),
      h('a', { class: 'button', href: `/diff?a=${encodeURIComponent(trace.id)}&b=typical`, title: 'Compare span by span with the trace of the same URL nearest its median duration' }, 'Compare with typical'),
      h('a', { class: 'button', href: `/api/traces/${trace.id}`, download: `${trace.id}.json` }, 'Download JSON'),
      h('a', { class: 'button', href: `/api/traces/${trace.id}`, target: '_blank', rel: 'noopener' }, 'Raw documents'),
    ),
    h('div', { class: 'legend' }, ...(['ok', 'error', 'throttle', 'fault'] as Health[]).map((k) => h('span', { class: `key ${k}` }, { ok: 'OK', error: 'Error 4xx', throttle: 'Throttle 429', fault: 'Fault 5xx' }[k])), h('span', { class: 'key critical' }, 'critical path')),
    h('div', { class: 'diagnosis-slot' }),
    h('div', { class: 'trace-body' }, wf.el, h('div', { class: 'side' }, detail, h('div', { class: 'mini-map' }, h('h3', {}, 'Trace map'), miniMap))),
  );
  if (search.value) runSearch();
  const chosen = all.find((e) => e.id === param('span')) ?? graph.root;
  renderDetail(detail, chosen, all);
  wf.select(chosen?.id);
  return (spanId) => {
    const e = all.find((x) => x.id === spanId);
    if (e === undefined) return;
    wf.select(e.id);
    select(e);
  };
}

function keepListQuery(): string {
  const q = new URLSearchParams();
  for (const k of ['filter', 'range']) if (param(k)) q.set(k, param(k));
  return `?${q}`;
}

/** The trace's own map: client → root service → downstream services and remote calls. */
function traceMap(graph: EntityGraph): SVGSVGElement {
  const nodes = new Map<string, GraphNodeView & { count: number; time: number }>();
  const edges = new Map<string, GraphEdgeView & { n: number }>();
  const node = (id: string, type: GraphNodeView['type'], e?: Entity) => {
    let n = nodes.get(id);
    if (n === undefined) nodes.set(id, (n = { id, label: id, type, shares: { ok: 0, error: 0, throttle: 0, fault: 0 }, lines: [], count: 0, time: 0 }));
    if (e) {
      n.shares[health(e.flags)]++;
      n.count++;
      n.time += e.end - e.start;
    }
    return n;
  };
  const edge = (from: string, to: string, e: Entity) => {
    const key = `${from}\u0000${to}`;
    const found = edges.get(key);
    if (found) {
      found.n++;
      found.label = `${found.n}×`;
      if (health(e.flags) !== 'ok') found.health = health(e.flags);
    } else edges.set(key, { from, to, label: duration(e.end - e.start), health: health(e.flags), n: 1 });
  };
  for (const s of graph.segments) node(s.name, 'service', s);
  if (graph.root) (node('client', 'client'), edge('client', graph.root.name, graph.root));
  for (const e of graph.entities) {
    if (e.isSegment || !e.remote) continue;
    if (e.callees.length > 0) for (const c of e.callees) edge(e.segment.name, c.name, e);
    else {
      // A call whose segment never arrived is inferred, as on the service map: not merged
      // into the service of the same name that answered another call.
      const id = calleeLabel(e.name, nodes.get(e.name)?.type === 'service');
      node(id, 'remote', e);
      edge(e.segment.name, id, e);
    }
  }
  return graphView([...nodes.values()], [...edges.values()], { radius: 18 });
}
