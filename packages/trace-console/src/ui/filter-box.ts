/**
 * The filter expression input: checks syntax as you type (the error shown under the input
 * with the spot marked), completes keywords, service names and annotation keys
 * (Ctrl+Space, or as you type; ↑/↓ choose, Tab/Enter accept, Esc closes), applies on Enter.
 */
import { completions, FilterSyntaxError, parseFilter, type CompletionItem } from '../filter/index.ts';
import { h, replace } from './dom.ts';

/** What the box knows for value completion. */
export interface FilterContext {
  services: () => string[];
  annotationKeys: () => string[];
}

/** A mounted filter box. */
export interface FilterBox {
  el: HTMLElement;
  input: HTMLInputElement;
  /** Shows an error at a position (e.g. the server's 400); null clears. */
  showError(error: { position: number; detail: string } | null): void;
  setValue(value: string): void;
}

/** Creates a filter box; `onApply` gets a syntactically valid expression. */
export function filterBox(initial: string, ctx: FilterContext, onApply: (filter: string) => void, placeholder = 'Filter: service("fetcher") AND http.status >= 400'): FilterBox {
  const input = h('input', { type: 'text', class: 'filter-input', spellcheck: 'false', autocomplete: 'off', placeholder, 'aria-label': 'Filter expression', value: initial });
  const error = h('div', { class: 'filter-error', role: 'alert', hidden: true });
  const menu = h('ul', { class: 'completions', role: 'listbox', hidden: true });
  const el = h('div', { class: 'filter-box' }, input, menu, error);
  let items: CompletionItem[] = [];
  let range = { from: 0, to: 0 };
  let active = 0;
  /** Enter accepts a suggestion only once the user picked one with ↑/↓; otherwise it applies the filter. */
  let navigated = false;

  const showError = (e: { position: number; detail: string } | null) => {
    input.setAttribute('aria-invalid', String(e !== null));
    error.hidden = e === null;
    if (e === null) return replace(error);
    const text = input.value;
    const at = Math.max(0, Math.min(e.position, text.length));
    // The expression again, monospaced like the input, with the offending spot marked.
    replace(error, h('code', { class: 'filter-echo' }, text.slice(0, at), h('mark', { class: 'error-at', 'data-position': at }, text.slice(at, at + 1) || ' '), text.slice(at + 1)), h('span', { class: 'filter-message' }, e.detail));
  };

  const check = (): boolean => {
    try {
      parseFilter(input.value);
      showError(null);
      return true;
    } catch (e) {
      if (e instanceof FilterSyntaxError) {
        showError({ position: e.position, detail: e.message });
        return false;
      }
      throw e;
    }
  };

  const close = () => {
    menu.hidden = true;
    items = [];
  };
  const open = () => {
    const cursor = input.selectionStart ?? input.value.length;
    const c = completions(input.value, cursor, { services: ctx.services(), annotationKeys: ctx.annotationKeys() });
    items = c.items.slice(0, 50);
    range = { from: c.from, to: c.to };
    active = 0;
    navigated = false;
    if (items.length === 0) return close();
    renderMenu();
    menu.hidden = false;
  };
  const renderMenu = () => {
    replace(
      menu,
      ...items.map((item, i) =>
        h(
          'li',
          { role: 'option', class: i === active ? 'active' : '', 'aria-selected': String(i === active), onmousedown: (ev: MouseEvent) => (ev.preventDefault(), accept(i)) },
          h('span', { class: 'label' }, item.label),
          h('span', { class: 'detail' }, item.detail),
        ),
      ),
    );
    menu.children[active]?.scrollIntoView({ block: 'nearest' });
  };
  const accept = (i: number) => {
    const item = items[i];
    if (item === undefined) return;
    input.value = input.value.slice(0, range.from) + item.insert + input.value.slice(range.to);
    const cursor = range.from + item.insert.length;
    input.setSelectionRange(cursor, cursor);
    close();
    check();
  };

  input.addEventListener('input', () => {
    check();
    open();
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (ev) => {
    if (!menu.hidden && items.length > 0) {
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        active = (active + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
        navigated = true;
        renderMenu();
        return ev.preventDefault();
      }
      if (ev.key === 'Tab' || (ev.key === 'Enter' && navigated)) {
        ev.preventDefault();
        return accept(active);
      }
    }
    if (ev.key === 'Escape') return close();
    if (ev.key === ' ' && ev.ctrlKey) {
      ev.preventDefault();
      return open();
    }
    if (ev.key === 'Enter') {
      ev.preventDefault();
      close();
      if (check()) onApply(input.value.trim());
    }
  });
  if (initial !== '') check();
  return {
    el,
    input,
    showError,
    setValue(value: string) {
      input.value = value;
      check();
    },
  };
}
