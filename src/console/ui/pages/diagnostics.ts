/**
 * Diagnostics: what each sender sent and what was refused, with the latest sample and the
 * one-line fix, so a user whose trace is missing sees why.
 */
import { getJson } from '../api.ts';
import { h, replace } from '../dom.ts';
import { time } from '../format.ts';

interface Problem {
  count: number;
  sample: string;
  detail: string;
  fix: string;
  last_at?: string;
}

interface Sender {
  sender: string;
  received: number;
  accepted: number;
  counts: Record<string, number>;
  problems: Record<string, Problem>;
  last_seen?: string;
}

const label = (kind: string) => kind.replaceAll('_', ' ');

/** Renders the page into `root`; returns its cleanup. */
export function diagnosticsPage(root: HTMLElement): () => void {
  const controller = new AbortController();
  const body = h('div', { class: 'diagnostics' }, h('p', { class: 'muted' }, 'Loading…'));
  replace(root, h('div', { class: 'toolbar' }, h('h2', {}, 'Diagnostics'), h('span', { class: 'spacer' }), h('button', { type: 'button', onclick: () => load() }, 'Refresh')), body);
  const load = async () => {
    let data: unknown;
    try {
      data = await getJson<unknown>('/api/diagnostics', controller.signal);
    } catch (e) {
      if (!controller.signal.aborted) replace(body, h('p', { class: 'empty' }, `Could not load diagnostics: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    // Accept the list itself or an object holding it.
    const senders = (Array.isArray(data) ? data : ((data as { senders?: Sender[] }).senders ?? [])) as Sender[];
    const extra = Object.entries(data as Record<string, unknown>).filter(([k, v]) => k !== 'senders' && k !== 'fixes' && v !== null && typeof v === 'object');
    const overview = h(
      'div',
      { class: 'counts' },
      ...extra.flatMap(([k, v]) => Object.entries(v as Record<string, unknown>).map(([field, value]) => h('span', { class: 'count-box' }, `${k} ${label(field)}: `, h('b', {}, typeof value === 'object' ? JSON.stringify(value) : String(value))))),
    );
    if (senders.length === 0) return replace(body, overview, h('p', { class: 'empty' }, 'Nothing received yet. Point AWS_XRAY_DAEMON_ADDRESS (UDP) or OTEL_EXPORTER_OTLP_ENDPOINT at this console.'));
    replace(
      body,
      overview,
      ...senders.map((s) => {
        const problems = Object.entries(s.problems ?? {});
        const counts = Object.entries(s.counts ?? {});
        return h(
          'section',
          { class: `sender${problems.length ? ' has-problems' : ''}`, 'data-sender': s.sender },
          h('h3', {}, h('span', { class: 'mono' }, s.sender), h('span', { class: 'muted' }, s.last_seen ? ` last seen ${time(Date.parse(s.last_seen) / 1000)}` : '')),
          h(
            'div',
            { class: 'counts' },
            h('span', { class: 'count-box' }, h('b', {}, String(s.received)), ' received'),
            h('span', { class: 'count-box ok' }, h('b', {}, String(s.accepted)), ' accepted'),
            ...counts.map(([k, n]) => h('span', { class: `count-box${n > 0 ? ' bad' : ''}`, 'data-kind': k }, h('b', {}, String(n)), ` ${label(k)}`)),
          ),
          ...problems.map(([kind, p]) =>
            h(
              'div',
              { class: 'problem', 'data-kind': kind },
              h('h4', {}, `${label(kind)} × ${p.count}`, p.last_at ? h('span', { class: 'muted' }, ` latest ${time(Date.parse(p.last_at) / 1000)}`) : null),
              h('p', {}, p.detail),
              h('p', { class: 'fix' }, h('strong', {}, 'Fix: '), p.fix),
              h('pre', { class: 'sample' }, p.sample),
            ),
          ),
        );
      }),
    );
  };
  load();
  return () => controller.abort();
}
