/** The time range presets (5m … 24h, all) as a button group; the choice lives in the URL (`range`). */
import { h } from './dom.ts';
import { param, ranges, setParams } from './state.ts';

/** Creates the picker; `onChange` after the URL was updated. */
export function rangePicker(onChange: () => void): HTMLElement {
  const group = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time range' });
  const mark = () => {
    for (const b of group.querySelectorAll<HTMLElement>('button')) b.setAttribute('aria-pressed', String(b.dataset.range === param('range', '1h')));
  };
  for (const [label] of ranges) {
    group.append(
      h('button', { type: 'button', 'data-range': label, title: label === 'all' ? 'Everything kept' : `Last ${label}`, onclick: () => (setParams({ range: label === '1h' ? undefined : label }), mark(), onChange()) }, label),
    );
  }
  mark();
  return group;
}
