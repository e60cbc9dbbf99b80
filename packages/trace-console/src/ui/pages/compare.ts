/**
 * Compare: two trace sets (two filter expressions) side by side: counts, error rates,
 * latency percentiles, and the services and URLs whose share differs most between them
 * (X-Ray Analytics' comparison, done locally on the listed traces). Each set is read page by
 * page, up to the newest `perSet` traces.
 */
import { ApiFailure, TracePager, type TraceSummary } from '../api.ts';
import { h, replace, s } from '../dom.ts';
import { filterBox, type FilterBox } from '../filter-box.ts';
import { duration, grouped, quantile } from '../format.ts';
import { rangePicker } from '../range-picker.ts';
import { param, rangeSince, setParams } from '../state.ts';

/** The most traces read per set: enough for stable percentiles, few enough to stay quick. */
const perSet = 10_000;

interface Stats {
  count: number;
  /** More traces match than were read. */
  capped: boolean;
  error: number;
  throttle: number;
  fault: number;
  p: Record<string, number>;
  services: Map<string, number>;
  urls: Map<string, number>;
  /** Response times, ascending. */
  sorted: number[];
}

function stats(traces: TraceSummary[], capped: boolean): Stats {
  const d = traces.map((t) => t.response_time).sort((a, b) => a - b);
  const services = new Map<string, number>();
  const urls = new Map<string, number>();
  for (const t of traces) {
    for (const s of new Set(t.services)) services.set(s, (services.get(s) ?? 0) + 1);
    const u = urlKey(t.url);
    if (u) urls.set(u, (urls.get(u) ?? 0) + 1);
  }
  return {
    count: traces.length,
    capped,
    error: traces.filter((t) => t.error && !t.throttle).length,
    throttle: traces.filter((t) => t.throttle).length,
    fault: traces.filter((t) => t.fault).length,
    p: { p50: quantile(d, 0.5), p90: quantile(d, 0.9), p95: quantile(d, 0.95), p99: quantile(d, 0.99), max: d[d.length - 1] ?? Number.NaN },
    services,
    urls,
    sorted: d,
  };
}

const BINS = 40;
const PLOT_W = 1000;
const PLOT_H = 120;

/**
 * Both sets' response-time distributions overlaid on one scale (X-Ray Analytics' comparison
 * view): the share of each set's traces per bucket, up to the larger p99 (slower ones in the
 * last bucket), so the sets compare whatever their sizes.
 */
function overlay(A: Stats, B: Stats): HTMLElement {
  const top = Math.max(A.p.p99 || 0, B.p.p99 || 0) || Math.max(A.p.max || 0, B.p.max || 0) || 1;
  const shares = (st: Stats) => {
    const bins = new Array<number>(BINS).fill(0);
    for (const v of st.sorted) bins[Math.min(BINS - 1, Math.floor((v / top) * BINS))]!++;
    return bins.map((n) => (st.count ? n / st.count : 0));
  };
  const a = shares(A);
  const b = shares(B);
  const peak = Math.max(...a, ...b) || 1;
  const area = (bins: number[]) => {
    const step = PLOT_W / BINS;
    const pts = bins.map((v, i) => `L ${(i * step).toFixed(1)} ${(PLOT_H - (v / peak) * (PLOT_H - 4)).toFixed(1)} L ${((i + 1) * step).toFixed(1)} ${(PLOT_H - (v / peak) * (PLOT_H - 4)).toFixed(1)}`);
    return `M 0 ${PLOT_H} ${pts.join(' ')} L ${PLOT_W} ${PLOT_H} Z`;
  };
  const svg = s('svg', { class: 'overlay', viewBox: `0 0 ${PLOT_W} ${PLOT_H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Response time distributions of A and B' }, s('path', { d: area(a), class: 'set-a' }), s('path', { d: area(b), class: 'set-b' }));
  return h(
    'div',
    { class: 'overlay-box', 'data-testid': 'distribution' },
    h('h3', {}, 'Response time distribution ', h('span', { class: 'key set-a' }, 'A'), ' ', h('span', { class: 'key set-b' }, 'B'), h('span', { class: 'muted' }, ' share of each set’s traces')),
    svg,
    h('div', { class: 'histogram-axis' }, h('span', {}, '0'), h('span', {}, duration(top / 2)), h('span', {}, `${duration(top)}+`)),
  );
}

/** The URL without its query: one key per endpoint. */
function urlKey(url: string | null | undefined): string {
  if (!url) return '';
  return url.split('?')[0];
}

const pct = (n: number, of: number) => (of === 0 ? '–' : `${((n / of) * 100).toFixed(1)}%`);

/** Keys whose share of traces differs most between A and B. */
function differences(a: Map<string, number>, na: number, b: Map<string, number>, nb: number): [string, number, number][] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys]
    .map((k): [string, number, number] => [k, na ? (a.get(k) ?? 0) / na : 0, nb ? (b.get(k) ?? 0) / nb : 0])
    .sort((x, y) => Math.abs(y[1] - y[2]) - Math.abs(x[1] - x[2]))
    .slice(0, 8);
}

/** The newest traces of a set, a page at a time, at most `perSet`. */
async function readSet(filter: string, since: number | undefined, signal: AbortSignal): Promise<Stats> {
  const pager = new TracePager(filter, since);
  const traces: TraceSummary[] = [];
  do traces.push(...(await pager.next(signal)));
  while (pager.more && traces.length < perSet);
  return stats(traces.slice(0, perSet), pager.more || traces.length > perSet);
}

/** Renders the page into `root`; returns its cleanup. */
export function comparePage(root: HTMLElement): () => void {
  let controller = new AbortController();
  const result = h('div', { class: 'compare-result' });
  const ctx = { services: () => [], annotationKeys: () => [] };
  const boxes: FilterBox[] = [];
  const run = async () => {
    setParams({ a: boxes[0].input.value || undefined, b: boxes[1].input.value || undefined });
    // A new comparison replaces one still reading.
    controller.abort();
    const running = (controller = new AbortController());
    const since = rangeSince();
    const sets: Stats[] = [];
    root.dataset.loading = 'true';
    for (const [i, box] of boxes.entries()) {
      try {
        sets[i] = await readSet(box.input.value, since, running.signal);
        box.showError(null);
      } catch (e) {
        if (running.signal.aborted) return;
        delete root.dataset.loading;
        if (e instanceof ApiFailure && e.body.position !== undefined) box.showError({ position: e.body.position, detail: e.body.detail });
        else replace(result, h('p', { class: 'empty' }, `Could not load set ${'AB'[i]}: ${e instanceof Error ? e.message : String(e)}`));
        return;
      }
    }
    delete root.dataset.loading;
    const [A, B] = sets;
    const count = (s: Stats) => `${grouped(s.count)}${s.capped ? ' (newest)' : ''}`;
    const line = (label: string, a: string, b: string) => h('tr', {}, h('th', {}, label), h('td', { class: 'num' }, a), h('td', { class: 'num' }, b));
    const diffTable = (title: string, rows: [string, number, number][]) =>
      h(
        'table',
        { class: `grid ${title.startsWith('URL') ? 'urls' : ''}` },
        h('thead', {}, h('tr', {}, h('th', {}, title), h('th', { class: 'num' }, 'A'), h('th', { class: 'num' }, 'B'), h('th', { class: 'num' }, 'Δ'))),
        h('tbody', {}, ...rows.map(([k, a, b]) => h('tr', {}, h('td', { class: 'mono' }, k), h('td', { class: 'num' }, `${(a * 100).toFixed(1)}%`), h('td', { class: 'num' }, `${(b * 100).toFixed(1)}%`), h('td', { class: `num ${a > b ? 'more' : a < b ? 'less' : ''}` }, `${((a - b) * 100).toFixed(1)}`)))),
      );
    replace(
      result,
      overlay(A, B),
      h(
        'table',
        { class: 'grid' },
        h('thead', {}, h('tr', {}, h('th', {}), h('th', { class: 'num' }, 'A'), h('th', { class: 'num' }, 'B'))),
        h(
          'tbody',
          {},
          line('traces', count(A), count(B)),
          line('error (4xx)', pct(A.error, A.count), pct(B.error, B.count)),
          line('throttle (429)', pct(A.throttle, A.count), pct(B.throttle, B.count)),
          line('fault (5xx)', pct(A.fault, A.count), pct(B.fault, B.count)),
          h('tr', {}, h('th', { colspan: 3, class: 'muted' }, 'response time')),
          ...Object.keys(A.p).map((k) => line(k, duration(A.p[k]), duration(B.p[k]))),
        ),
      ),
      diffTable('Service share', differences(A.services, A.count, B.services, B.count)),
      diffTable('URL share', differences(A.urls, A.count, B.urls, B.count)),
      h('p', { class: 'muted compare-note' }, `Each set is its newest ${grouped(perSet)} matching traces at most${A.capped || B.capped ? '; more match here, so narrow the time range or the filter for the whole picture' : ''}.`),
    );
  };
  boxes.push(filterBox(param('a'), ctx, run, 'Set A, e.g. ok'), filterBox(param('b', 'error OR fault OR throttle'), ctx, run, 'Set B, e.g. fault'));
  replace(
    root,
    h('div', { class: 'toolbar' }, h('h2', {}, 'Compare'), h('span', { class: 'spacer' }), rangePicker(run)),
    h('div', { class: 'compare-inputs' }, h('label', {}, 'A', boxes[0].el), h('label', {}, 'B', boxes[1].el), h('button', { type: 'button', onclick: run }, 'Compare')),
    result,
  );
  run();
  return () => controller.abort();
}
