/**
 * The detail panel of one segment or subsegment: overview, http, annotations, metadata,
 * exceptions (with their cause chain), sql and the raw JSON document, as tabs.
 */
import type { Entity } from '../model/graph.ts';
import { h, replace } from './dom.ts';
import { duration, health, time } from './format.ts';

type Doc = Record<string, unknown>;
const tabs = ['overview', 'http', 'annotations', 'metadata', 'exceptions', 'sql', 'raw'] as const;
type Tab = (typeof tabs)[number];

const obj = (v: unknown): Doc => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {});

/** Rows for a value: an object becomes one row per field (`service version`), nested up to three levels; a list of plain values is joined. */
function flatten(key: string, value: unknown, depth = 0): [string, string][] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return value.length ? [[key, value.join(', ')]] : [];
    return depth < 3 ? value.flatMap((v, i) => flatten(`${key} ${i + 1}`, v, depth + 1)) : [[key, JSON.stringify(value)]];
  }
  if (typeof value === 'object') {
    if (depth >= 3) return [[key, JSON.stringify(value)]];
    return Object.entries(value as Doc).flatMap(([k, v]) => flatten(`${key} ${k.replaceAll('_', ' ')}`, v, depth + 1));
  }
  return [[key, String(value)]];
}

/** A definition list of the non-empty fields; objects are shown field by field, never as raw JSON. */
function fields(rows: [string, unknown][]): HTMLElement {
  const shown = rows.flatMap(([k, v]) => flatten(k, v));
  if (shown.length === 0) return h('p', { class: 'muted' }, 'Nothing recorded.');
  return h('dl', { class: 'fields' }, ...shown.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { class: 'mono' }, v)]));
}

function json(value: unknown): HTMLElement {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}

/** Exceptions of the entity; a cause given as an id (or `{id}`) is looked up among all entities. */
function exceptions(entity: Entity, all: readonly Entity[]): HTMLElement {
  const cause = entity.doc.cause;
  const refId = typeof cause === 'string' ? cause : typeof obj(cause).id === 'string' && !Array.isArray(obj(cause).exceptions) ? (obj(cause).id as string) : undefined;
  let list = Array.isArray(obj(cause).exceptions) ? (obj(cause).exceptions as Doc[]) : [];
  let from: Entity | undefined;
  if (refId !== undefined) {
    from = all.find((e) => e.id === refId || (Array.isArray(obj(e.doc.cause).exceptions) && (obj(e.doc.cause).exceptions as Doc[]).some((x) => x.id === refId)));
    if (from !== undefined) list = obj(from.doc.cause).exceptions as Doc[];
  }
  if (list.length === 0) return h('p', { class: 'muted' }, 'No exceptions.');
  const byId = new Map(list.map((x) => [x.id, x]));
  return h(
    'div',
    {},
    from ? h('p', { class: 'muted' }, `Caused by an exception recorded on ${from.name} (${from.id}).`) : null,
    obj(cause).working_directory ? h('p', { class: 'muted mono' }, `cwd ${obj(cause).working_directory}`) : null,
    ...list.map((x) =>
      h(
        'div',
        { class: 'exception' },
        h('div', {}, h('strong', {}, String(x.type ?? 'Error')), ': ', String(x.message ?? ''), x.remote ? h('span', { class: 'tag' }, 'remote') : null),
        x.cause && byId.has(x.cause) ? h('div', { class: 'muted' }, `cause: ${String(byId.get(x.cause)!.type ?? '')} ${String(byId.get(x.cause)!.message ?? '')}`) : null,
        Array.isArray(x.stack)
          ? h('ol', { class: 'stack mono' }, ...(x.stack as Doc[]).map((f) => h('li', {}, `${String(f.label ?? 'anonymous')} (${String(f.path ?? '?')}:${String(f.line ?? '?')})`)))
          : null,
        x.truncated ? h('div', { class: 'muted' }, `${x.truncated} frames omitted`) : null,
      ),
    ),
  );
}

function content(tab: Tab, entity: Entity, all: readonly Entity[]): HTMLElement {
  const d = entity.doc;
  const http = obj(d.http);
  switch (tab) {
    case 'overview':
      return fields([
        ['name', entity.name],
        ['id', entity.id],
        ['kind', entity.isSegment ? 'segment' : `subsegment${d.namespace ? ` (${String(d.namespace)})` : ''}`],
        ['status', `${health(entity.flags)}${entity.http.status ? ` (${entity.http.status})` : ''}`],
        ['start', time(entity.start)],
        ['end', entity.inProgress ? 'in progress' : time(entity.end)],
        ['duration', duration(entity.end - entity.start)],
        ['trace id', d.trace_id ?? entity.segment.doc.trace_id],
        ['parent id', d.parent_id ?? entity.parent?.id],
        ['origin', d.origin],
        ['service', d.service],
        ['user', d.user],
        ['aws', d.aws],
      ]);
    case 'http':
      return fields([
        ['method', obj(http.request).method],
        ['url', obj(http.request).url],
        ['user agent', obj(http.request).user_agent],
        ['client ip', obj(http.request).client_ip],
        ['traced', obj(http.request).traced],
        ['status', obj(http.response).status],
        ['content length', obj(http.response).content_length],
      ]);
    case 'annotations':
      return fields(Object.entries(obj(d.annotations)));
    case 'metadata':
      return Object.keys(obj(d.metadata)).length ? json(d.metadata) : h('p', { class: 'muted' }, 'No metadata.');
    case 'exceptions':
      return exceptions(entity, all);
    case 'sql':
      return fields(Object.entries(obj(d.sql)));
    case 'raw':
      return json(d);
  }
}

/** Whether a tab has anything to show (empty tabs are dimmed). */
function hasContent(tab: Tab, d: Doc): boolean {
  if (tab === 'http') return Object.keys(obj(d.http)).length > 0;
  if (tab === 'annotations') return Object.keys(obj(d.annotations)).length > 0;
  if (tab === 'metadata') return Object.keys(obj(d.metadata)).length > 0;
  if (tab === 'exceptions') return d.cause !== undefined;
  if (tab === 'sql') return Object.keys(obj(d.sql)).length > 0;
  return true;
}

/** Renders the panel for `entity` into `root`, remembering the chosen tab across entities. */
export function renderDetail(root: HTMLElement, entity: Entity | undefined, all: readonly Entity[], state: { tab: Tab } = shared): void {
  if (entity === undefined) return replace(root, h('p', { class: 'muted' }, 'Select a segment to see its details.'));
  const body = h('div', { class: 'tab-body' }, content(state.tab, entity, all));
  const bar = h(
    'div',
    { class: 'tabs', role: 'tablist' },
    ...tabs.map((t) =>
      h('button', { type: 'button', role: 'tab', 'data-tab': t, 'aria-selected': String(t === state.tab), class: hasContent(t, entity.doc) ? '' : 'empty', onclick: () => ((state.tab = t), renderDetail(root, entity, all, state)) }, t),
    ),
  );
  replace(root, h('h3', { class: `detail-title ${health(entity.flags)}` }, entity.name), bar, body);
}

const shared: { tab: Tab } = { tab: 'overview' };
