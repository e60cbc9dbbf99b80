/**
 * Compare two traces span by span (`/diff?a=ID&b=ID`, `b=typical` for the trace of the same
 * URL nearest its median): both span trees aligned, each pair's durations and delta, spans
 * only in one, errors that appear or vanish, and each trace's critical path.
 */
import type { DiffRow, DiffSpan, TraceDiff } from '../../api/contract.ts';
import { getJson } from '../api.ts';
import { h, replace } from '../dom.ts';
import { duration } from '../format.ts';
import { param, setParams } from '../state.ts';

const signed = (s: number) => `${s >= 0 ? '+' : '−'}${duration(Math.abs(s))}`;

/** Renders the page into `root`; returns its cleanup. */
export function diffPage(root: HTMLElement): () => void {
  let controller = new AbortController();
  const a = h('input', { type: 'text', class: 'mono trace-id', name: 'a', placeholder: 'trace id A', 'aria-label': 'Trace A', value: param('a'), size: 36 });
  const b = h('input', { type: 'text', class: 'mono trace-id', name: 'b', placeholder: 'trace id B, or typical', 'aria-label': 'Trace B', value: param('b'), size: 36 });
  const out = h('div', { class: 'diff-result' });
  const run = () => {
    controller.abort();
    controller = new AbortController();
    const ids = { a: a.value.trim(), b: b.value.trim() };
    if (!ids.a || !ids.b) return replace(out, h('p', { class: 'muted' }, 'Enter two trace ids (B may be "typical": the trace of the same URL nearest its median duration).'));
    setParams({ a: ids.a, b: ids.b });
    replace(out, h('p', { class: 'muted' }, 'Comparing…'));
    getJson<TraceDiff>(`/api/diff?${new URLSearchParams(ids)}`, controller.signal)
      .then((d) => {
        if (ids.b === 'typical') b.value = d.b.id;
        replace(out, render(d));
      })
      .catch((e) => controller.signal.aborted || replace(out, h('p', { class: 'error-text', role: 'alert' }, e instanceof Error ? e.message : String(e))));
  };
  const form = h('form', { class: 'toolbar diff-form', onsubmit: (ev: Event) => (ev.preventDefault(), run()) }, h('label', {}, 'A ', a), h('label', {}, 'B ', b), h('button', { type: 'submit' }, 'Compare'));
  replace(root, h('h2', {}, 'Compare two traces'), form, out);
  run();
  return () => controller.abort();
}

function cell(s: DiffSpan | undefined): HTMLElement {
  if (s === undefined) return h('td', { class: 'muted' }, '—');
  return h('td', { class: `num status-${s.status}${s.critical ? ' on-critical' : ''}`, title: s.critical ? 'on the critical path' : '' }, duration(s.duration), s.http_status ? h('span', { class: 'muted' }, ` ${s.http_status}`) : null);
}

/** A cell indented by depth (set through the CSSOM: the console's CSP refuses style attributes). */
function indented(depth: number, ...children: (Node | string | null)[]): HTMLElement {
  const td = h('td', {}, ...children);
  td.style.paddingLeft = `${6 + depth * 16}px`;
  return td;
}

function note(r: DiffRow): string {
  if (r.only) return `only in ${r.only.toUpperCase()}`;
  if (r.error_change === 'appeared') return 'error appeared';
  if (r.error_change === 'vanished') return 'error vanished';
  return '';
}

function render(d: TraceDiff): HTMLElement {
  const head = (which: 'a' | 'b') => h('a', { href: `/trace/${d[which].id}`, class: 'mono' }, d[which].id);
  const path = (which: 'a' | 'b') => h('div', { class: 'critical-list' }, h('strong', {}, `Critical path ${which.toUpperCase()}: `), d[which].critical_path.join(' → ') || '—');
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'diff-summary' },
      h('div', {}, 'A ', head('a'), ` ${duration(d.a.duration)} · ${d.a.spans} spans`),
      h('div', {}, 'B ', head('b'), ` ${duration(d.b.duration)} · ${d.b.spans} spans`),
      h('div', { class: d.delta > 0 ? 'slower' : 'faster', 'data-testid': 'diff-delta' }, d.delta === 0 ? 'same duration' : `B is ${duration(Math.abs(d.delta))} ${d.delta > 0 ? 'slower' : 'faster'}`),
      h('div', { class: 'muted' }, `${d.counts.matched} matched · ${d.counts.only_a} only in A · ${d.counts.only_b} only in B · ${d.counts.errors_appeared} errors appeared · ${d.counts.errors_vanished} vanished`),
    ),
    path('a'),
    path('b'),
    h(
      'table',
      { class: 'diff-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Span (service · name)'), h('th', { class: 'num' }, 'A'), h('th', { class: 'num' }, 'B'), h('th', { class: 'num' }, 'Δ'), h('th', {}, ''))),
      h(
        'tbody',
        {},
        ...d.rows.map((r) =>
          h(
            'tr',
            { class: `diff-row${r.only ? ` only-${r.only}` : ''}${r.error_change ? ` ${r.error_change}` : ''}`, 'data-name': r.name },
            indented(r.depth, h('span', { class: 'muted' }, `${r.service} · `), r.name, r.index > 0 ? h('span', { class: 'muted' }, ` #${r.index + 1}`) : null),
            cell(r.a),
            cell(r.b),
            h('td', { class: `num ${r.delta === undefined ? '' : r.delta > 0 ? 'slower' : 'faster'}` }, r.delta === undefined ? '' : signed(r.delta)),
            h('td', { class: 'note' }, note(r)),
          ),
        ),
      ),
    ),
  );
}
