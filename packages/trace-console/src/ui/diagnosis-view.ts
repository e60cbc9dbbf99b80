/**
 * The diagnosis of one trace (`GET /api/traces/{id}/diagnosis`): a panel on the trace page
 * and the page for an id the console never stored. Each finding: what, the evidence, the fix.
 */
import type { Diagnosis as DiagnosisView } from '../api/contract.ts';
import { getJson } from './api.ts';
import { h } from './dom.ts';

/** Fetches the diagnosis of `id`. */
export function fetchDiagnosis(id: string, signal?: AbortSignal): Promise<DiagnosisView> {
  return getJson(`/api/traces/${encodeURIComponent(id)}/diagnosis`, signal);
}

/** The findings as a list; `onSpan` makes a finding's span a link into the waterfall. */
export function diagnosisPanel(d: DiagnosisView, onSpan?: (id: string) => void): HTMLElement {
  const items = d.findings.map((f) =>
    h(
      'li',
      { class: `finding ${f.severity}`, 'data-kind': f.kind },
      h('div', { class: 'finding-title' }, h('span', { class: `tag ${f.severity}` }, f.severity), ' ', f.title),
      h('ul', { class: 'evidence' }, ...f.evidence.map((e) => h('li', { class: 'mono' }, e))),
      h('div', { class: 'fix' }, h('strong', {}, 'Fix: '), f.fix),
      f.span && onSpan ? h('button', { type: 'button', class: 'link', onclick: () => onSpan(f.span!) }, `Show ${f.span}`) : null,
    ),
  );
  return h(
    'section',
    { class: `diagnosis ${d.findings.length ? 'has-findings' : 'clean'}`, 'aria-label': 'Diagnosis', 'data-testid': 'diagnosis' },
    h('h3', {}, 'Diagnosis ', h('span', { class: 'muted' }, d.summary)),
    d.findings.length ? h('ol', { class: 'findings' }, ...items) : null,
  );
}

/** The page for an id with no stored document: the diagnosis and what ingest recorded. */
export function missingTracePage(d: DiagnosisView): HTMLElement {
  return h(
    'div',
    { class: 'missing-trace' },
    h('h2', {}, 'Trace not found'),
    h('p', { class: 'mono' }, d.id),
    diagnosisPanel(d),
    d.events.length
      ? h(
          'section',
          { class: 'events' },
          h('h3', {}, 'What ingest recorded for this id'),
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', {}, 'When'), h('th', {}, 'What'), h('th', {}, 'Sender'), h('th', {}, 'Detail'))),
            h('tbody', {}, ...d.events.map((e) => h('tr', {}, h('td', { class: 'mono' }, e.at), h('td', {}, e.kind.replace(/_/g, ' ')), h('td', { class: 'mono' }, `${e.service ? `${e.service} · ` : ''}${e.sender}`), h('td', {}, e.detail)))),
          ),
        )
      : null,
    h('p', {}, h('a', { href: '/' }, 'Back to traces'), ' · ', h('a', { href: '/diagnostics' }, 'Diagnostics')),
  );
}
