/**
 * Traces page: the live list (the newest page from /api/traces, then /api/events, and older
 * pages on "Load more"), the filter box, time range presets, the response-time histogram
 * (drag adds a responsetime clause), sortable columns and a virtualised list.
 */
import { ApiFailure, annotationText, TracePager, type TraceSummary } from '../api.ts';
import { h, replace } from '../dom.ts';
import { filterBox } from '../filter-box.ts';
import { groupPicker } from '../group-picker.ts';
import { compact, duration, grouped, health, time } from '../format.ts';
import { histogram } from '../histogram.ts';
import { navigate } from '../router.ts';
import { rangePicker } from '../range-picker.ts';
import { param, rangeSince, setParams } from '../state.ts';
import { virtualList } from '../virtual-list.ts';

const ROW = 28;
/** Live rows kept at most; the oldest go first (memory stays bounded however long the tab stays open). */
const MAX_ROWS = 50_000;

interface Column {
  key: string;
  label: string;
  value: (t: TraceSummary) => string | number;
}

const columns: Column[] = [
  { key: 'id', label: 'Trace id', value: (t) => t.id },
  { key: 'time', label: 'Time', value: (t) => t.start_time },
  { key: 'method', label: 'Method', value: (t) => t.method ?? '' },
  { key: 'url', label: 'URL', value: (t) => t.url ?? '' },
  { key: 'status', label: 'Status', value: (t) => t.status ?? 0 },
  { key: 'duration', label: 'Response time', value: (t) => t.response_time },
  { key: 'services', label: 'Services', value: (t) => t.services.join(' ') },
  { key: 'annotations', label: 'Annotations', value: (t) => annotationText(t.annotations) },
];

/** Renders the page into `root`; returns its cleanup. */
export function tracesPage(root: HTMLElement): () => void {
  const byId = new Map<string, TraceSummary>();
  let filter = param('filter');
  let sort = param('sort', '-time');
  let fetching: AbortController | undefined;
  let refetchTimer = 0;
  /** The query the list shows, read a page at a time. */
  let pager = new TracePager(filter, rangeSince(), param('group'));
  const lifetime = new AbortController();
  const picker = groupPicker(() => load(), lifetime.signal);

  const count = h('span', { class: 'count', 'data-testid': 'trace-count' });
  const live = h('span', { class: 'live', title: 'Live updates from /api/events' }, 'connecting');
  const box = filterBox(
    filter,
    {
      services: () => [...new Set([...byId.values()].flatMap((t) => t.services))].sort(),
      annotationKeys: () => [...new Set([...byId.values()].flatMap((t) => Object.keys(t.annotations)))].sort(),
    },
    (f) => {
      filter = f;
      setParams({ filter: f || undefined });
      load();
    },
  );
  const rangeButtons = rangePicker(() => load());
  const hist = histogram((lo, hi) => {
    const clause = hi === Infinity ? `responsetime >= ${lo}` : `responsetime >= ${lo} AND responsetime <= ${hi}`;
    const next = filter.trim() === '' ? clause : `(${filter}) AND ${clause}`;
    box.setValue(next);
    filter = next;
    setParams({ filter: next });
    load();
  });

  const header = h(
    'div',
    { class: 'trace-row header', role: 'row' },
    ...columns.map((c) => h('button', { type: 'button', class: `col col-${c.key}`, role: 'columnheader', 'data-sort': c.key, onclick: () => sortBy(c.key) }, c.label)),
  );
  const moreButton = h('button', { type: 'button', class: 'load-more', onclick: () => loadMore() }, 'Load more');
  const shown = h('span', { 'data-testid': 'shown-count' });
  const moreError = h('span', { class: 'more-error', role: 'alert', hidden: true });
  const footer = h('div', { class: 'list-footer', hidden: true }, shown, moreButton, moreError);
  const list = virtualList<TraceSummary>(ROW, renderRow, (t) => navigate(`/trace/${t.id}${keepQuery()}`), footer);
  list.el.classList.add('trace-list');
  const emptyText = 'No traces in this range match. Widen the time range, clear the filter or choose another group.';
  const empty = h('div', { class: 'empty', hidden: true }, emptyText);
  replace(
    root,
    h('div', { class: 'toolbar' }, picker.el, box.el, rangeButtons, live, count),
    h('div', { class: 'histogram-wrap' }, hist.el),
    h('div', { class: 'table' }, header, list.el, empty),
  );

  function renderRow(row: HTMLElement, t: TraceSummary): void {
    row.className = `vl-row trace-row ${health(t)}`;
    row.dataset.id = t.id;
    replace(
      row,
      h('a', { class: 'col col-id mono', href: `/trace/${t.id}${keepQuery()}` }, t.id),
      h('span', { class: 'col col-time mono' }, time(t.start_time)),
      h('span', { class: 'col col-method' }, t.method ?? ''),
      h('span', { class: 'col col-url', title: t.url ?? '' }, t.url ?? ''),
      h('span', { class: `col col-status status-${health(t)}` }, t.status ?? ''),
      h(
        'span',
        { class: 'col col-duration num', title: `whole trace ${duration(t.duration)}` },
        t.url ? h('a', { class: 'typical', href: `/diff?a=${encodeURIComponent(t.id)}&b=typical`, title: 'Compare span by span with a typical trace of this URL (nearest its median)', 'aria-label': `Compare ${t.id} with a typical trace` }, 'vs typical') : null,
        duration(t.response_time),
      ),
      h('span', { class: 'col col-services' }, t.services.join(', ')),
      h('span', { class: 'col col-annotations', title: annotationText(t.annotations) }, annotationText(t.annotations)),
    );
  }

  function sortBy(key: string): void {
    sort = sort === `-${key}` ? key : `-${key}`;
    setParams({ sort: sort === '-time' ? undefined : sort });
    refresh();
  }

  function refresh(): void {
    const key = sort.replace(/^-/, '');
    const dir = sort.startsWith('-') ? -1 : 1;
    const column = columns.find((c) => c.key === key) ?? columns[1];
    const rows = [...byId.values()];
    rows.sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (b.start_time - a.start_time);
    });
    for (const b of header.querySelectorAll<HTMLElement>('[data-sort]')) {
      b.setAttribute('aria-sort', b.dataset.sort === key ? (dir < 0 ? 'descending' : 'ascending') : 'none');
    }
    list.setItems(rows);
    hist.update(rows.map((t) => ({ duration: t.response_time, error: t.error, fault: t.fault, throttle: t.throttle })));
    count.textContent = `${compact(rows.length)} trace${rows.length === 1 ? '' : 's'}`;
    empty.hidden = rows.length > 0;
    // Paging matters once a page came back full: then say how many are shown, and offer older ones.
    footer.hidden = !(pager.pages > 1 || (pager.pages === 1 && pager.more));
    const more = pager.more && byId.size < MAX_ROWS;
    shown.textContent = `${grouped(rows.length)} trace${rows.length === 1 ? '' : 's'} shown${more ? '' : pager.more ? ', the most the list keeps' : ', no older ones match'}`;
    moreButton.hidden = !more;
  }

  /**
   * The newest page of the query, replacing the list. `live`: a re-query for live updates,
   * which keeps the older pages the user loaded (new rows are added, shown ones refreshed).
   */
  async function load(live = false): Promise<void> {
    fetching?.abort();
    const controller = new AbortController();
    fetching = controller;
    root.dataset.loading = 'true';
    try {
      const fetched = performance.now();
      const next = new TracePager(filter, rangeSince(), picker.value());
      const traces = await next.next(controller.signal);
      const started = performance.now();
      // Merging is safe while the new page overlaps what is shown; a full page of only unseen traces leaves a gap.
      const merge = live && pager.filter === filter && pager.group === next.group && pager.pages > 1 && traces.some((t) => byId.has(t.id));
      if (!merge) {
        byId.clear();
        pager = next;
      }
      for (const t of traces) byId.set(t.id, t);
      box.showError(null);
      showMoreError(null);
      empty.textContent = emptyText;
      refresh();
      // Exposed for the rendering benchmark in test/console/ui/pages.test.ts.
      root.dataset.fetchMs = String(Math.round(started - fetched));
      root.dataset.renderMs = String(Math.round(performance.now() - started));
    } catch (e) {
      if (controller.signal.aborted) return;
      if (e instanceof ApiFailure && e.body.position !== undefined) box.showError({ position: e.body.position, detail: e.body.detail });
      else if (e instanceof ApiFailure && e.body.code === 'not_found') {
        byId.clear();
        refresh();
        empty.textContent = e.body.detail;
      }
      else box.showError({ position: 0, detail: e instanceof Error ? e.message : String(e) });
    } finally {
      if (fetching === controller) (fetching = undefined), delete root.dataset.loading;
    }
  }

  /** The next older page, appended; the scroll position stays (rows only grow below it). */
  async function loadMore(): Promise<void> {
    if (fetching) return;
    const controller = new AbortController();
    fetching = controller;
    const reading = pager;
    root.dataset.loading = 'true';
    moreButton.disabled = true;
    try {
      const traces = await reading.next(controller.signal);
      if (reading !== pager) return;
      for (const t of traces) byId.set(t.id, t);
      showMoreError(null);
      refresh();
    } catch (e) {
      if (!controller.signal.aborted) showMoreError(e);
    } finally {
      moreButton.disabled = false;
      if (fetching === controller) (fetching = undefined), delete root.dataset.loading;
    }
  }

  function showMoreError(e: unknown): void {
    moreError.hidden = e === null;
    moreError.textContent = e === null ? '' : `Could not load older traces: ${e instanceof Error ? e.message : String(e)}`;
  }

  // Live: without a filter, rows are inserted as they come; with one, the server decides (re-query, debounced).
  const events = new EventSource('/api/events');
  let pending = 0;
  events.addEventListener('open', () => ((live.textContent = 'live'), live.classList.add('on')));
  events.addEventListener('error', () => ((live.textContent = 'reconnecting'), live.classList.remove('on')));
  events.addEventListener('trace', (ev) => {
    const t = JSON.parse((ev as MessageEvent).data) as TraceSummary;
    const since = rangeSince();
    if (since !== undefined && t.start_time < since) return;
    if (filter.trim() !== '' || picker.value() !== '') {
      clearTimeout(refetchTimer);
      refetchTimer = window.setTimeout(() => load(true), 500);
      return;
    }
    byId.set(t.id, t);
    if (byId.size > MAX_ROWS) {
      const oldest = [...byId.values()].sort((a, b) => a.start_time - b.start_time).slice(0, byId.size - MAX_ROWS);
      for (const o of oldest) byId.delete(o.id);
    }
    pending ||= requestAnimationFrame(() => ((pending = 0), refresh()));
  });

  const keys = (ev: KeyboardEvent) => {
    const target = ev.target as HTMLElement;
    if (ev.key === '/' && !/^(INPUT|TEXTAREA)$/.test(target.tagName)) {
      ev.preventDefault();
      box.input.focus();
    } else if (ev.key === 'Escape' && target === box.input) {
      list.el.focus();
      if (list.selected() < 0) list.select(0);
    }
  };
  addEventListener('keydown', keys);
  load();
  return () => {
    events.close();
    lifetime.abort();
    fetching?.abort();
    clearTimeout(refetchTimer);
    removeEventListener('keydown', keys);
  };
}

/** The range carried to the trace page, so "back" keeps the list's view. */
function keepQuery(): string {
  const q = new URLSearchParams();
  for (const k of ['filter', 'range', 'group']) if (param(k)) q.set(k, param(k));
  const s = q.toString();
  return s ? `?${s}` : '';
}
