/**
 * The timeline of one trace: every segment and subsegment, grouped by service (X-Ray's
 * segments timeline), bars to scale and coloured by class, collapse/expand per entity and
 * per service, the critical path marked, and a search that filters the rows (matches plus
 * their ancestors, for context) with next/previous through the matches.
 */
import type { Entity, EntityGraph } from '../model/graph.ts';
import { h, replace } from './dom.ts';
import { duration, health } from './format.ts';

interface Row {
  entity: Entity;
  depth: number;
  group: string;
  ancestors: Entity[];
}

/** A mounted waterfall. */
export interface Waterfall {
  el: HTMLElement;
  /** Filters the rows; returns the number of matches. */
  search(query: string): number;
  /** Moves to the next (+1) or previous (-1) match; returns its 1-based index. */
  step(dir: 1 | -1): number;
  select(id: string | undefined): void;
  collapseAll(collapse: boolean): void;
}

/** Rows in display order: services in order of first appearance, each segment's subsegments depth first. */
function layoutRows(graph: EntityGraph): Row[] {
  const groups = new Map<string, Row[]>();
  const visit = (entity: Entity, depth: number, ancestors: Entity[], group: Row[], name: string) => {
    group.push({ entity, depth, group: name, ancestors });
    const kids = [...entity.children].sort((a, b) => a.start - b.start);
    for (const kid of kids) visit(kid, depth + 1, [...ancestors, entity], group, name);
  };
  for (const segment of graph.segments) {
    let group = groups.get(segment.name);
    if (group === undefined) groups.set(segment.name, (group = []));
    visit(segment, 0, [], group, segment.name);
  }
  return [...groups.values()].flat();
}

/** Creates the waterfall; `onSelect` when a row is chosen. */
export function waterfall(graph: EntityGraph, critical: Set<Entity>, onSelect: (entity: Entity) => void): Waterfall {
  const rows = layoutRows(graph);
  const t0 = Math.min(...graph.entities.map((e) => e.start));
  const t1 = Math.max(...graph.entities.map((e) => e.end));
  const span = Math.max(t1 - t0, 1e-6);
  const collapsed = new Set<Entity>();
  const collapsedGroups = new Set<string>();
  let query = '';
  let matches: Entity[] = [];
  let current = -1;
  let selected: string | undefined;
  const body = h('div', { class: 'wf-body', role: 'tree', tabindex: 0 });
  const ticks = h('div', { class: 'wf-ticks' }, ...[0, 0.25, 0.5, 0.75, 1].map((f) => {
    const tick = h('span', { class: `tick${f === 0 ? ' first' : f === 1 ? ' last' : ''}` }, f === 0 ? '0' : duration(f * span));
    tick.style.left = `${f * 100}%`;
    return tick;
  }));
  const el = h('div', { class: 'waterfall' }, h('div', { class: 'wf-head' }, h('span', { class: 'wf-name' }, 'Segment'), h('span', { class: 'wf-status' }, 'Status'), h('div', { class: 'wf-timeline' }, ticks)), body);

  const matchesQuery = (e: Entity): boolean => {
    const q = query.toLowerCase();
    const d = e.doc;
    const hay = [e.name, e.id, e.http.url, e.http.method, String(e.http.status ?? ''), String(d.namespace ?? ''), JSON.stringify(d.annotations ?? ''), ...e.exceptions.map((x) => `${x.name} ${x.message}`)];
    return hay.some((s) => s !== undefined && s.toLowerCase().includes(q));
  };

  const draw = () => {
    const keep = new Set<Entity>();
    if (query !== '') for (const r of rows) if (matched.has(r.entity)) [r.entity, ...r.ancestors].forEach((e) => keep.add(e));
    const out: HTMLElement[] = [];
    let lastGroup = '';
    for (const r of rows) {
      if (r.group !== lastGroup) {
        lastGroup = r.group;
        const groupRows = rows.filter((x) => x.group === r.group);
        const shown = query === '' || groupRows.some((x) => keep.has(x.entity));
        if (!shown) continue;
        const closed = collapsedGroups.has(r.group);
        out.push(
          h(
            'div',
            { class: 'wf-group', role: 'treeitem', 'aria-expanded': String(!closed), 'data-group': r.group },
            h('button', { type: 'button', class: 'toggle', 'aria-label': `${closed ? 'Expand' : 'Collapse'} ${r.group}`, onclick: () => (closed ? collapsedGroups.delete(r.group) : collapsedGroups.add(r.group), draw()) }, closed ? '▸' : '▾'),
            h('span', {}, r.group),
            h('span', { class: 'muted' }, ` ${groupRows.length} span${groupRows.length === 1 ? '' : 's'}`),
          ),
        );
      }
      if (collapsedGroups.has(r.group)) continue;
      if (query !== '' && !keep.has(r.entity)) continue;
      if (r.ancestors.some((a) => collapsed.has(a))) continue;
      out.push(rowEl(r));
    }
    replace(body, ...out);
  };

  // One row template cloned per span, and one delegated click listener: building 1 000 rows
  // from scratch with a listener each took twice as long.
  const template = h(
    'div',
    { class: 'wf-row', role: 'treeitem', tabindex: -1 },
    h('span', { class: 'wf-name' }, h('span', { class: 'toggle-space' }), h('span', { class: 'span-name' })),
    h('span', { class: 'wf-status' }),
    h('div', { class: 'wf-timeline' }, h('div', { class: 'bar' }), h('span', { class: 'bar-label' })),
  );
  const byId = new Map(rows.map((r) => [r.entity.id, r.entity]));
  const matchSet = () => new Set(matches);
  let matched = matchSet();

  const rowEl = (r: Row): HTMLElement => {
    const e = r.entity;
    const cls = health(e.flags);
    const isMatch = query !== '' && matched.has(e);
    const row = template.cloneNode(true) as HTMLElement;
    const [name, status, timeline] = row.children as unknown as [HTMLElement, HTMLElement, HTMLElement];
    const [bar, label] = timeline.children as unknown as [HTMLElement, HTMLElement];
    row.className = `wf-row ${cls}${isMatch ? ' match' : ''}${isMatch && matches[current] === e ? ' current' : ''}${selected === e.id ? ' selected' : ''}${query !== '' && !isMatch ? ' context' : ''}`;
    row.dataset.id = e.id;
    row.dataset.name = e.name;
    row.dataset.health = cls;
    if (critical.has(e)) row.dataset.critical = 'true';
    const took = duration(e.end - e.start);
    bar.className = `bar ${cls}${critical.has(e) ? ' critical' : ''}`;
    bar.title = `${e.name}: ${took}`;
    bar.style.left = `${((e.start - t0) / span) * 100}%`;
    bar.style.width = `${Math.max(((e.end - e.start) / span) * 100, 0.2)}%`;
    const startPct = ((e.start - t0) / span) * 100;
    const endPct = ((e.end - t0) / span) * 100;
    label.textContent = took;
    // Near the right edge the label goes inside the bar's end instead of past it, or, for a
    // bar too short to hold it, before the bar's start.
    if (endPct <= 85) label.style.left = `${endPct}%`;
    else if (endPct - startPct >= 10) (label.classList.add('inside'), (label.style.right = `${100 - endPct}%`));
    else (label.classList.add('before'), (label.style.right = `${100 - startPct}%`));
    name.style.paddingLeft = `${r.depth * 14 + 4}px`;
    if (e.children.length > 0) name.firstElementChild!.replaceWith(h('button', { type: 'button', class: 'toggle', 'aria-label': collapsed.has(e) ? 'Expand' : 'Collapse' }, collapsed.has(e) ? '▸' : '▾'));
    (name.lastElementChild as HTMLElement).textContent = e.name;
    if (e.remote) name.append(h('span', { class: 'tag' }, 'remote'));
    if (e.inProgress) name.append(h('span', { class: 'tag' }, 'in progress'));
    status.className = `wf-status status-${cls}`;
    status.textContent = String(e.http.status ?? (cls === 'ok' ? '' : cls));
    return row;
  };

  body.addEventListener('click', (ev) => {
    const row = (ev.target as Element).closest<HTMLElement>('.wf-row');
    const e = row ? byId.get(row.dataset.id!) : undefined;
    if (!e) return;
    if ((ev.target as Element).closest('.toggle')) {
      if (collapsed.has(e)) collapsed.delete(e);
      else collapsed.add(e);
      return draw();
    }
    choose(e);
  });

  const choose = (e: Entity) => {
    selected = e.id;
    for (const r of body.querySelectorAll('.wf-row.selected')) r.classList.remove('selected');
    body.querySelector(`.wf-row[data-id="${CSS.escape(e.id)}"]`)?.classList.add('selected');
    onSelect(e);
  };

  body.addEventListener('keydown', (ev) => {
    const list = [...body.querySelectorAll<HTMLElement>('.wf-row')];
    const at = list.findIndex((r) => r.dataset.id === selected);
    const move = ev.key === 'ArrowDown' || ev.key === 'j' ? 1 : ev.key === 'ArrowUp' || ev.key === 'k' ? -1 : 0;
    const entity = (id: string | undefined) => byId.get(id ?? '');
    if (move !== 0) {
      const next = list[Math.max(0, Math.min(list.length - 1, at + move))];
      if (next) (choose(entity(next.dataset.id)!), next.scrollIntoView({ block: 'nearest' }));
    } else if ((ev.key === 'ArrowLeft' || ev.key === 'ArrowRight') && selected) {
      const e = entity(selected)!;
      if (ev.key === 'ArrowLeft') collapsed.add(e);
      else collapsed.delete(e);
      draw();
    } else return;
    ev.preventDefault();
  });

  draw();
  return {
    el,
    search(q) {
      query = q.trim();
      matches = query === '' ? [] : rows.map((r) => r.entity).filter(matchesQuery);
      matched = matchSet();
      current = matches.length > 0 ? 0 : -1;
      draw();
      return matches.length;
    },
    step(dir) {
      if (matches.length === 0) return 0;
      current = (current + dir + matches.length) % matches.length;
      draw();
      body.querySelector('.wf-row.current')?.scrollIntoView({ block: 'nearest' });
      onSelect(matches[current]);
      return current + 1;
    },
    select(id) {
      // Classes only: a redraw of 1 000 rows for a selection would double the page's render time.
      selected = id;
      for (const r of body.querySelectorAll('.wf-row.selected')) r.classList.remove('selected');
      if (id !== undefined) body.querySelector(`.wf-row[data-id="${CSS.escape(id)}"]`)?.classList.add('selected');
    },
    collapseAll(collapse) {
      collapsed.clear();
      if (collapse) for (const r of rows) if (r.entity.children.length > 0 && r.depth > 0) collapsed.add(r.entity);
      draw();
    },
  };
}
