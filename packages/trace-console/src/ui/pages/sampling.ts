/**
 * Sampling: the console's sampling rules in the order the SDKs try them, each with what the
 * SDKs reported for it (this minute's requests, sampled and borrowed, from their
 * GetSamplingTargets reports; refreshed every few seconds), rule editing through the X-Ray
 * API (CreateSamplingRule, UpdateSamplingRule, DeleteSamplingRule; AWS's error answer shown
 * as it came), and "explain": which rule a request matches, and why the ones before it did not.
 */
import type { SamplingRule, SamplingRuleRecord } from '@tfa/otel-xray/wire/sampling/wire';
import type { SamplingAnswer } from '../../api/sampling.ts';
import { ApiFailure, getJson, postJson } from '../api.ts';
import { h, replace } from '../dom.ts';
import { time } from '../format.ts';
import { xray } from '../xray.ts';
import '../sampling.css';

interface Counts {
  requests: number;
  sampled: number;
  borrowed: number;
}

/** One row of `GET /api/sampling`. */
interface RuleRow extends SamplingRuleRecord {
  window: (Counts & { start: number }) | null;
  totals: Counts;
  active_clients: number;
}

const REFRESH_MS = 5000;
const MATCHERS = ['ServiceName', 'ServiceType', 'Host', 'HTTPMethod', 'URLPath', 'ResourceARN'] as const;
const EXPLAIN_FIELDS: [string, string, string][] = [
  ['service_name', 'Service name', 'fetcher'],
  ['service_type', 'Service type', 'AWS::EC2::Instance'],
  ['host', 'Host', 'example.com'],
  ['http_method', 'HTTP method', 'GET'],
  ['url_path', 'URL path', '/api/items'],
  ['attributes', 'Attributes', 'key=value, key2=value2'],
];

const percent = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

/** `a=b, c=d` → {a: 'b', c: 'd'} (blank → {}). */
function parsePairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    if (at < 1) throw new Error(`attribute "${part.trim()}" is not key=value`);
    out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

const pairsText = (attributes: Record<string, string> | undefined) => Object.entries(attributes ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');

/** Renders the page into `root`; returns its cleanup. */
export function samplingPage(root: HTMLElement): () => void {
  const controller = new AbortController();
  let rows: RuleRow[] = [];
  let matched = '';
  let timer = 0;

  const status = h('span', { class: 'muted', 'data-testid': 'sampling-updated' });
  const table = h('table', { class: 'sampling-rules', 'aria-label': 'Sampling rules' });
  const editor = h('div', { class: 'rule-editor', hidden: true });
  const listError = h('p', { class: 'error-text', role: 'alert', hidden: true });
  const explainOut = h('div', { class: 'explain-result', 'data-testid': 'explain-result' });
  const inputs = new Map(EXPLAIN_FIELDS.map(([name, label, example]) => [name, h('input', { type: 'text', name, placeholder: example, 'aria-label': label, class: 'mono' })]));
  const explainForm = h(
    'form',
    { class: 'explain-form', 'aria-label': 'Explain a sampling decision', onsubmit: (ev: Event) => (ev.preventDefault(), explain()) },
    ...EXPLAIN_FIELDS.map(([name, label]) => h('label', {}, h('span', {}, label), inputs.get(name)!)),
    h('button', { type: 'submit' }, 'Explain'),
  );

  replace(
    root,
    h('div', { class: 'toolbar' }, h('h2', {}, 'Sampling rules'), status, h('span', { class: 'spacer' }), h('button', { type: 'button', onclick: () => edit(undefined) }, 'New rule')),
    h('p', { class: 'muted' }, 'Rules are tried by priority, then name; the first that matches decides, Default last. Counters are what the SDKs reported this minute (GetSamplingStatisticSummaries); totals since the console started in the tooltip.'),
    listError,
    editor,
    table,
    h('h2', {}, 'Which rule, and why'),
    explainForm,
    explainOut,
  );

  async function load(): Promise<void> {
    clearTimeout(timer);
    try {
      ({ rules: rows } = await getJson<{ rules: RuleRow[] }>('/api/sampling', controller.signal));
      listError.hidden = true;
      draw();
      status.textContent = `updated ${time(Date.now() / 1000, false)}`;
    } catch (e) {
      if (controller.signal.aborted) return;
      listError.hidden = false;
      listError.textContent = `Could not load the sampling rules: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (!controller.signal.aborted) timer = window.setTimeout(load, REFRESH_MS);
  }

  function draw(): void {
    const numeric = new Set(['Priority', 'Reservoir', 'Rate', 'Requests', 'Sampled', 'Borrowed', 'Clients']);
    const head = h('tr', {}, ...['Priority', 'Rule', 'Matches', 'Reservoir', 'Rate', 'Requests', 'Sampled', 'Borrowed', 'Clients', ''].map((c) => h('th', numeric.has(c) ? { class: 'num' } : {}, c)));
    replace(
      table,
      h('thead', {}, head),
      h(
        'tbody',
        {},
        ...rows.map((r) => {
          const rule = r.SamplingRule;
          const w = r.window ?? { requests: 0, sampled: 0, borrowed: 0 };
          const total = (k: keyof Counts) => `${r.totals[k]} since the console started`;
          const matches = [...MATCHERS.filter((f) => rule[f] !== '*').map((f) => `${f} ${rule[f]}`), ...Object.entries(rule.Attributes ?? {}).map(([k, v]) => `${k}=${v}`)];
          return h(
            'tr',
            { 'data-rule': rule.RuleName, class: rule.RuleName === matched ? 'matched' : '' },
            h('td', { class: 'num' }, rule.Priority),
            h('td', { class: 'mono' }, rule.RuleName),
            h('td', { class: 'mono' }, matches.length ? matches.join(' · ') : h('span', { class: 'muted' }, 'every request')),
            h('td', { class: 'num' }, `${rule.ReservoirSize}/s`),
            h('td', { class: 'num' }, percent(rule.FixedRate)),
            h('td', { class: 'num', 'data-counter': 'requests', title: total('requests') }, w.requests),
            h('td', { class: 'num', 'data-counter': 'sampled', title: total('sampled') }, w.sampled),
            h('td', { class: 'num', 'data-counter': 'borrowed', title: total('borrowed') }, w.borrowed),
            h('td', { class: 'num', title: 'SDK clients that reported requests for the rule in the last 20 s' }, r.active_clients),
            h(
              'td',
              { class: 'actions' },
              h('button', { type: 'button', 'aria-label': `Edit ${rule.RuleName}`, onclick: () => edit(rule) }, 'Edit'),
              rule.RuleName === 'Default' ? null : deleteButton(rule),
            ),
          );
        }),
      ),
    );
  }

  function deleteButton(rule: SamplingRule): HTMLElement {
    const b = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${rule.RuleName}` }, 'Delete');
    b.addEventListener('click', async () => {
      // First click arms, second deletes (no modal dialog).
      if (b.dataset.armed !== 'true') {
        b.dataset.armed = 'true';
        b.textContent = 'Confirm delete';
        return;
      }
      try {
        await xray('/DeleteSamplingRule', { RuleName: rule.RuleName }, controller.signal);
        if (editor.dataset.rule === rule.RuleName) editor.hidden = true;
        await load();
      } catch (e) {
        listError.hidden = false;
        listError.textContent = `Could not delete ${rule.RuleName}: ${e instanceof Error ? e.message : String(e)}`;
      }
    });
    return b;
  }

  /** Opens the editor for `rule`, or for a new rule. */
  function edit(rule: SamplingRule | undefined): void {
    const isDefault = rule?.RuleName === 'Default';
    const field = (name: string, label: string, value: string | number, attrs: Record<string, string | boolean> = {}) =>
      h('label', {}, h('span', {}, label), h('input', { type: 'text', name, value: String(value), 'aria-label': label, class: 'mono', ...attrs }));
    const fixedOnly = { disabled: isDefault };
    const error = h('p', { class: 'error-text', role: 'alert', hidden: true, 'data-testid': 'rule-error' });
    const form = h(
      'form',
      { class: 'rule-form', 'aria-label': rule ? `Edit ${rule.RuleName}` : 'New sampling rule' },
      field('RuleName', 'Rule name', rule?.RuleName ?? '', { disabled: rule !== undefined, required: true }),
      field('Priority', 'Priority', rule?.Priority ?? 100, fixedOnly),
      field('ReservoirSize', 'Reservoir (per second)', rule?.ReservoirSize ?? 1),
      field('FixedRate', 'Fixed rate (0 to 1)', rule?.FixedRate ?? 0.05),
      ...MATCHERS.map((m) => field(m, m, rule?.[m] ?? '*', fixedOnly)),
      field('Attributes', 'Attributes (key=value, …)', pairsText(rule?.Attributes), fixedOnly),
      h('div', { class: 'row' }, h('button', { type: 'submit' }, rule ? 'Save' : 'Create'), h('button', { type: 'button', onclick: () => ((editor.hidden = true), delete editor.dataset.rule) }, 'Cancel')),
      error,
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      const text = (k: string) => String(data.get(k) ?? '').trim();
      const num = (k: string) => (text(k) === '' ? NaN : Number(text(k)));
      try {
        if (rule === undefined) {
          const created: SamplingRule = {
            RuleName: text('RuleName'), RuleARN: '', Priority: num('Priority'), ReservoirSize: num('ReservoirSize'), FixedRate: num('FixedRate'),
            ServiceName: text('ServiceName'), ServiceType: text('ServiceType'), Host: text('Host'), HTTPMethod: text('HTTPMethod'), URLPath: text('URLPath'), ResourceARN: text('ResourceARN'),
            Version: 1, Attributes: parsePairs(text('Attributes')),
          };
          const { RuleARN: _none, ...body } = created;
          await xray('/CreateSamplingRule', { SamplingRule: body }, controller.signal);
        } else {
          const update: Record<string, unknown> = { RuleName: rule.RuleName, ReservoirSize: num('ReservoirSize'), FixedRate: num('FixedRate') };
          if (!isDefault) {
            update.Priority = num('Priority');
            for (const m of MATCHERS) update[m] = text(m);
            update.Attributes = parsePairs(text('Attributes'));
          }
          await xray('/UpdateSamplingRule', { SamplingRuleUpdate: update }, controller.signal);
        }
        editor.hidden = true;
        delete editor.dataset.rule;
        await load();
      } catch (e) {
        if (controller.signal.aborted) return;
        error.hidden = false;
        error.textContent = e instanceof Error ? e.message : String(e);
      }
    });
    editor.dataset.rule = rule?.RuleName ?? '';
    replace(editor, h('h3', {}, rule ? `Edit rule ${rule.RuleName}` : 'New sampling rule'), isDefault ? h('p', { class: 'muted' }, 'The Default rule matches every request; only its reservoir and rate can change.') : null, form);
    editor.hidden = false;
    (form.querySelector('input:not([disabled])') as HTMLInputElement | null)?.focus();
  }

  async function explain(): Promise<void> {
    const body: Record<string, unknown> = {};
    try {
      for (const [name, input] of inputs) {
        const v = input.value.trim();
        if (v === '') continue;
        body[name] = name === 'attributes' ? parsePairs(v) : v;
      }
      const answer = await postJson<SamplingAnswer>('/api/sampling/explain', body, controller.signal);
      matched = answer.rule;
      draw();
      replace(explainOut, renderAnswer(answer));
    } catch (e) {
      if (controller.signal.aborted) return;
      replace(explainOut, h('p', { class: 'error-text', role: 'alert' }, e instanceof ApiFailure ? `${e.body.code}: ${e.body.detail}` : e instanceof Error ? e.message : String(e)));
    }
  }

  load();
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}

function renderAnswer(a: SamplingAnswer): HTMLElement {
  const grants = a.grants.active_clients === 0
    ? 'No SDK client is reporting requests for this rule now; the reservoir is split among those that do (GetSamplingTargets).'
    : `Granted now: ${a.grants.clients.map((c) => `${c.client_id.slice(0, 8)}… ${c.reservoir_quota}/s`).join(', ')} (the reservoir of ${a.reservoir}/s split among ${a.grants.active_clients} active client${a.grants.active_clients === 1 ? '' : 's'}).`;
  return h(
    'div',
    {},
    h('p', { class: 'explain-verdict', 'data-testid': 'explain-rule', 'data-rule': a.rule }, a.reason),
    a.rule ? h('p', { class: 'muted', 'data-testid': 'explain-grants' }, grants) : null,
    h(
      'ol',
      { class: 'explain-tried' },
      ...a.tried.map((t) =>
        h('li', { class: t.matched ? 'matched' : 'failed', 'data-rule': t.rule }, h('span', { class: 'mono' }, t.rule), ` (priority ${t.priority}) `, t.matched ? 'matches' : h('span', {}, 'does not match: ', t.failed.map((f) => f.why).join('; '))),
      ),
    ),
  );
}
