/**
 * A virtualised list: only the rows in view (plus a margin) exist in the DOM, so 10 000
 * traces scroll as smoothly as 10. Rows have one fixed height. ↑/↓/PgUp/PgDn/Home/End move
 * the selection, Enter opens it.
 */
import { h } from './dom.ts';

/** A mounted list. */
export interface VirtualList<T> {
  el: HTMLElement;
  setItems(items: T[]): void;
  /** The selected index, or -1. */
  selected(): number;
  select(index: number): void;
}

/**
 * Creates the list; `render` fills a row element for an item (rows are reused). `footer`, if
 * given, sits after the last row and scrolls with the list (e.g. a "Load more" control).
 */
export function virtualList<T>(rowHeight: number, render: (row: HTMLElement, item: T, index: number) => void, onOpen: (item: T) => void, footer?: HTMLElement): VirtualList<T> {
  const spacer = h('div', { class: 'vl-spacer' });
  const el = h('div', { class: 'vl', tabindex: 0, role: 'grid', 'aria-rowcount': 0 }, spacer, footer);
  let items: T[] = [];
  let selected = -1;
  const pool: HTMLElement[] = [];
  let frame = 0;

  const draw = () => {
    frame = 0;
    const top = el.scrollTop;
    const height = el.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rowHeight) - 5);
    const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 5);
    while (pool.length < last - first) {
      const row = h('div', { class: 'vl-row', role: 'row' });
      row.style.height = `${rowHeight}px`;
      row.addEventListener('click', () => select(Number(row.dataset.index)));
      row.addEventListener('dblclick', () => onOpen(items[Number(row.dataset.index)]));
      pool.push(row);
      el.append(row);
    }
    pool.forEach((row, i) => {
      const index = first + i;
      if (index >= last) {
        row.hidden = true;
        return;
      }
      row.hidden = false;
      row.style.transform = `translateY(${index * rowHeight}px)`;
      if (row.dataset.index !== String(index) || row.dataset.item !== String(items[index] && (items[index] as { id?: string }).id)) {
        row.dataset.index = String(index);
        row.dataset.item = String((items[index] as { id?: string }).id);
        render(row, items[index], index);
      }
      row.classList.toggle('selected', index === selected);
      row.setAttribute('aria-selected', String(index === selected));
    });
  };
  const schedule = () => {
    if (frame === 0) frame = requestAnimationFrame(draw);
  };
  const select = (index: number) => {
    selected = Math.max(-1, Math.min(items.length - 1, index));
    if (selected >= 0) {
      const y = selected * rowHeight;
      if (y < el.scrollTop) el.scrollTop = y;
      else if (y + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = y + rowHeight - el.clientHeight;
    }
    draw();
  };
  el.addEventListener('scroll', schedule, { passive: true });
  new ResizeObserver(schedule).observe(el);
  el.addEventListener('keydown', (ev) => {
    const page = Math.max(1, Math.floor(el.clientHeight / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, j: 1, k: -1, PageDown: page, PageUp: -page };
    if (ev.key in moves) select(Math.max(0, selected + moves[ev.key]));
    else if (ev.key === 'Home') select(0);
    else if (ev.key === 'End') select(items.length - 1);
    else if (ev.key === 'Enter' && selected >= 0) onOpen(items[selected]);
    else return;
    ev.preventDefault();
  });

  return {
    el,
    setItems(next) {
      items = next;
      if (selected >= items.length) selected = items.length - 1;
      spacer.style.height = `${items.length * rowHeight}px`;
      el.setAttribute('aria-rowcount', String(items.length));
      for (const row of pool) delete row.dataset.index;
      draw();
    },
    selected: () => selected,
    select,
  };
}
