/**
 * Diagnostics: what each sender sent and what was refused, with the latest sample and the
 * one-line fix, so a user whose trace is missing sees why.
 */
import { getJson, type DiagnosticsBody } from '../api.ts';
import { h, replace } from '../dom.ts';
import { time } from '../format.ts';

const label = (kind: string) => kind.replaceAll('_', ' ');

/** The console-wide counters in words; a counter not listed here is shown by its name in words. */
const overviewLabels: Record<string, Record<string, string>> = {
  store: { traces: 'traces stored', documents: 'documents stored', queued: 'waiting to be written', dropped: 'dropped (queue full)', committed: 'written', pruned: 'pruned by retention', writeErrors: 'failed writes', lastWriteError: 'last write error' },
  udp: { address: 'listening on UDP', relay_dropped: 'not relayed (forward queue full)', forward: 'forwarding to' },
};

/** Words for a camelCase or snake_case counter name. */
const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replaceAll('_', ' ').toLowerCase();

/** The overview boxes: every counter with a value, in words (no null, no internal names). */
function overviewBoxes(data: DiagnosticsBody): HTMLElement[] {
  const boxes: HTMLElement[] = [];
  for (const [group, values] of Object.entries(data)) {
    if (group === 'senders' || group === 'fixes' || values === null || typeof values !== 'object' || Array.isArray(values)) continue;
    for (const [field, value] of Object.entries(values as Record<string, unknown>)) {
      if (value === null || value === undefined || value === '' || typeof value === 'object') continue;
      // A relay counter means nothing without a relay.
      if (group === 'udp' && field === 'relay_dropped' && !(values as Record<string, unknown>).forward) continue;
      const name = overviewLabels[group]?.[field] ?? `${words(group)} ${words(field)}`;
      const bad = (field === 'dropped' || field === 'writeErrors' || field === 'relay_dropped' || field === 'lastWriteError') && value !== 0;
      boxes.push(h('span', { class: `count-box${bad ? ' bad' : ''}`, 'data-field': `${group}.${field}` }, typeof value === 'number' ? h('b', {}, String(value)) : h('b', { class: 'mono' }, String(value)), ` ${name}`));
    }
  }
  return boxes;
}

/** Renders the page into `root`; returns its cleanup. */
export function diagnosticsPage(root: HTMLElement): () => void {
  const controller = new AbortController();
  const body = h('div', { class: 'diagnostics' }, h('p', { class: 'muted' }, 'Loading…'));
  replace(root, h('div', { class: 'toolbar' }, h('h2', {}, 'Diagnostics'), h('span', { class: 'spacer' }), h('button', { type: 'button', onclick: () => load() }, 'Refresh')), body);
  const load = async () => {
    let data: DiagnosticsBody;
    try {
      data = await getJson<DiagnosticsBody>('/api/diagnostics', controller.signal);
    } catch (e) {
      if (!controller.signal.aborted) replace(body, h('p', { class: 'empty' }, `Could not load diagnostics: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const senders = data.senders;
    const overview = h('div', { class: 'counts overview' }, ...overviewBoxes(data));
    if (senders.length === 0) return replace(body, overview, h('p', { class: 'empty' }, 'Nothing received yet. Point AWS_XRAY_DAEMON_ADDRESS (UDP) or OTEL_EXPORTER_OTLP_ENDPOINT at this console.'));
    replace(
      body,
      overview,
      ...senders.map((s) => {
        const problems = Object.entries(s.problems);
        // Only the kinds that occurred: a row of zeros hides the one that matters.
        const counts = Object.entries(s.counts).filter(([, n]) => n > 0);
        const services = s.services;
        return h(
          'section',
          { class: `sender${problems.length ? ' has-problems' : ''}`, 'data-sender': s.sender },
          h(
            'h3',
            {},
            h('span', { class: 'sender-services' }, services.length ? services.join(', ') : 'no accepted document yet'),
            ' ',
            h('span', { class: 'mono muted sender-address' }, s.sender),
            h('span', { class: 'muted' }, s.last_seen ? ` · last seen ${time(Date.parse(s.last_seen) / 1000)}` : ''),
          ),
          h(
            'div',
            { class: 'counts' },
            h('span', { class: 'count-box' }, h('b', {}, String(s.received)), ' received'),
            h('span', { class: 'count-box ok' }, h('b', {}, String(s.accepted)), ' accepted'),
            h('span', { class: 'count-box', 'data-field': 'rate' }, h('b', {}, String(s.per_minute)), ' per minute'),
            counts.length === 0 ? h('span', { class: 'count-box ok' }, 'nothing refused') : null,
            ...counts.map(([k, n]) => h('span', { class: `count-box${n > 0 ? ' bad' : ''}`, 'data-kind': k }, h('b', {}, String(n)), ` ${label(k)}`)),
          ),
          ...problems.map(([kind, p]) =>
            h(
              'div',
              { class: 'problem', 'data-kind': kind },
              h('h4', {}, `${label(kind)} × ${p.count}`, h('span', { class: 'muted' }, ` latest ${time(Date.parse(p.last_at) / 1000)}`)),
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
