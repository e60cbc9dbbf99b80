/**
 * Service map: the aggregated graph of /api/service-graph for the chosen range. A node's
 * ring shows the shares of its incoming calls by class; inside, average latency and
 * requests per minute. Clicking a node or edge opens a panel with its response-time
 * histogram and its traces, behind a filter expression the user can edit.
 */
import { ApiFailure, getJson, listTraces, type GraphEdge, type GraphService, type ServiceGraphBody } from '../api.ts';
import { h, replace } from '../dom.ts';
import { filterBox } from '../filter-box.ts';
import { groupPicker } from '../group-picker.ts';
import { compact, duration, health, rate, time, type Health } from '../format.ts';
import { calleeLabel, graphView, type GraphEdgeView, type GraphNodeView } from '../graph-view.ts';
import { histogram } from '../histogram.ts';
import { panZoom } from '../pan-zoom.ts';
import { rangePicker } from '../range-picker.ts';
import { param, rangeSeconds, rangeSince, setParams } from '../state.ts';

interface Totals {
  count: number;
  errors: number;
  faults: number;
  throttles: number;
  latency: number;
}

const quote = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/** Shares by class from counts (X-Ray counts a 429 as an error too). */
function shares(t: Totals): Record<Health, number> {
  const throttle = t.throttles;
  const error = Math.max(0, t.errors - t.throttles);
  const fault = t.faults;
  return { ok: Math.max(0, t.count - error - throttle - fault), error, throttle, fault };
}

/** `92% ok, 5% 4xx, 1% 429, 2% 5xx` (classes with a share only). */
function shareText(s: Record<Health, number>): string {
  const total = s.ok + s.error + s.throttle + s.fault;
  if (total === 0) return '';
  const names: Record<Health, string> = { ok: 'ok', error: '4xx', throttle: '429', fault: '5xx' };
  return (Object.keys(names) as Health[]).filter((k) => s[k] > 0).map((k) => `${Math.round((s[k] / total) * 100)}% ${names[k]}`).join(', ');
}

function add(t: Totals, e: GraphEdge): void {
  t.count += e.count;
  t.errors += e.errors;
  t.faults += e.faults;
  t.throttles += e.throttles;
  t.latency += e.latency.p50 * e.count;
}

/** Renders the map into `root`; returns its cleanup. */
export function mapPage(root: HTMLElement): () => void {
  const controller = new AbortController();
  const canvas = h('div', { class: 'map-canvas' }, h('p', { class: 'muted' }, 'Loading the service map…'));
  const panel = h('aside', { class: 'map-panel', hidden: true, 'aria-label': 'Selection' });
  const rangeButtons = rangePicker(() => load());
  const picker = groupPicker(() => ((panel.hidden = true), setParams({ selected: undefined }), load()), controller.signal);
  replace(root, h('div', { class: 'toolbar' }, h('h2', {}, 'Service map'), picker.el, h('span', { class: 'spacer' }), rangeButtons), h('div', { class: 'map-body' }, canvas, panel));

  const open = (title: string, expression: string, facts = '') => {
    panel.hidden = false;
    setParams({ selected: expression });
    const list = h('ul', { class: 'map-traces' });
    const hist = histogram((lo, hi) => apply(`(${box.input.value}) AND responsetime >= ${lo}${hi === Infinity ? '' : ` AND responsetime <= ${hi}`}`));
    const summary = h('p', { class: 'muted' });
    const link = h('a', { class: 'button' }, 'Open in Traces');
    const apply = async (expr: string) => {
      box.setValue(expr);
      setParams({ selected: expr });
      const q = new URLSearchParams({ filter: expr });
      if (param('range')) q.set('range', param('range'));
      if (param('group')) q.set('group', param('group'));
      link.setAttribute('href', `/?${q}`);
      try {
        const { traces } = await listTraces(expr, rangeSince(), controller.signal, undefined, picker.value());
        box.showError(null);
        hist.update(traces.map((t) => ({ duration: t.response_time, error: t.error, fault: t.fault, throttle: t.throttle })));
        summary.textContent = `${traces.length} trace${traces.length === 1 ? '' : 's'}`;
        replace(
          list,
          ...traces.slice(0, 100).map((t) =>
            h('li', { class: health(t) }, h('a', { href: `/trace/${t.id}`, class: 'mono' }, t.id), h('span', {}, time(t.start_time, false)), h('span', { class: `status-${health(t)}` }, t.status ?? ''), h('span', {}, duration(t.response_time)), h('span', { class: 'url' }, t.url ?? '')),
          ),
        );
      } catch (e) {
        if (e instanceof ApiFailure && e.body.position !== undefined) box.showError({ position: e.body.position, detail: e.body.detail });
      }
    };
    const box = filterBox(expression, { services: () => services.map((s) => s.name), annotationKeys: () => [] }, apply);
    replace(panel, h('div', { class: 'panel-head' }, h('h3', {}, title), h('button', { type: 'button', 'aria-label': 'Close', onclick: () => ((panel.hidden = true), setParams({ selected: undefined })) }, '×')), facts ? h('p', { class: 'facts' }, facts) : null, box.el, hist.el, h('div', { class: 'row' }, summary, link), list);
    apply(expression);
  };

  let services: GraphService[] = [];
  async function load(): Promise<void> {
    const q = new URLSearchParams();
    const since = rangeSince();
    if (since !== undefined) q.set('since', String(since));
    if (picker.value()) q.set('group', picker.value());
    try {
      ({ services } = await getJson<ServiceGraphBody>(`/api/service-graph?${q}`, controller.signal));
    } catch (e) {
      if (!controller.signal.aborted) replace(canvas, h('p', { class: 'empty' }, `Could not load the service map: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    draw();
  }

  function draw(): void {
    if (services.length === 0) return replace(canvas, h('p', { class: 'empty' }, picker.value() ? `No traces of group ${picker.value()} in this range.` : 'No traces in this range yet.'));
    // A callee known only from its caller's subsegment (no segment of its own arrived) is an
    // inferred node of its own, beside a service of the same name: nodes are keyed by kind and name.
    const idOf = (type: string, name: string) => `${type}\u0000${name}`;
    const incoming = new Map<string, Totals>();
    const outgoing = new Map<string, Totals>();
    const zero = (): Totals => ({ count: 0, errors: 0, faults: 0, throttles: 0, latency: 0 });
    for (const s of services) {
      for (const e of s.edges) {
        const to = idOf(e.to_type, e.to);
        if (!incoming.has(to)) incoming.set(to, zero());
        const from = idOf(s.type, s.name);
        if (!outgoing.has(from)) outgoing.set(from, zero());
        add(incoming.get(to)!, e);
        add(outgoing.get(from)!, e);
      }
    }
    // X-Ray divides by the chosen window; for "all", by the span the traces cover.
    const spans = services.flatMap((s) => s.edges);
    const observed = spans.length ? Math.max(...spans.map((e) => e.end)) - Math.min(...spans.map((e) => e.start)) : 0;
    const seconds = rangeSeconds() || observed;
    const serviceNames = new Set(services.filter((s) => s.type === 'service').map((s) => s.name));
    const byId = new Map(services.map((s) => [idOf(s.type, s.name), s]));
    const nodes: GraphNodeView[] = services.map((s) => {
      const t = (s.type === 'client' ? outgoing : incoming).get(idOf(s.type, s.name)) ?? zero();
      const lines = t.count > 0 ? [duration(t.latency / t.count), rate(t.count, seconds)] : [];
      const label = s.type === 'remote' ? calleeLabel(s.name, serviceNames.has(s.name)) : s.name;
      return { id: idOf(s.type, s.name), label, type: s.type, shares: shares(t), lines };
    });
    const labels = new Map(nodes.map((n) => [n.id, n.label]));
    const edges: GraphEdgeView[] = services.flatMap((s) =>
      s.edges.map((e) => ({ from: idOf(s.type, s.name), to: idOf(e.to_type, e.to), label: `${compact(e.count)}`, health: health({ error: e.errors > 0, fault: e.faults > 0, throttle: e.throttles > 0 }) })),
    );
    const nodeFilter = (n: GraphNodeView) => {
      const s = byId.get(n.id)!;
      return s.type === 'client' ? s.edges.map((e) => `edge(${quote(s.name)}, ${quote(e.to)})`).join(' OR ') : `service(${quote(s.name)})`;
    };
    replace(
      canvas,
      panZoom(graphView(nodes, edges, {
        radius: 32,
        onNode: (n) => open(`${n.type} ${n.label}`, nodeFilter(n), n.lines.length ? `${n.lines.join(' · ')} · ${shareText(n.shares)}` : ''),
        onEdge: (e) => {
          const from = byId.get(e.from)!;
          const edge = from.edges.find((x) => idOf(x.to_type, x.to) === e.to);
          const to = edge?.to ?? '';
          const facts = edge ? `${edge.count} call${edge.count === 1 ? '' : 's'} · p50 ${duration(edge.latency.p50)} · p90 ${duration(edge.latency.p90)} · p99 ${duration(edge.latency.p99)} · ${shareText(shares({ count: edge.count, errors: edge.errors, faults: edge.faults, throttles: edge.throttles, latency: 0 }))}` : '';
          open(`${labels.get(e.from)} → ${labels.get(e.to)}`, `edge(${quote(from.name)}, ${quote(to)})`, facts);
        },
      })),
    );
    if (param('selected') && panel.hidden) open('Selection', param('selected'));
  }

  load();
  return () => controller.abort();
}
