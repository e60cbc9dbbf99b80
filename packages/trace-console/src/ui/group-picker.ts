/**
 * The group picker of the trace list and the map, as in the X-Ray console: a group (a saved
 * filter expression, from GetGroups) narrows what the page shows. The choice lives in the URL
 * (`group`); the Default group, which matches every trace, is no parameter at all.
 */
import { h, replace } from './dom.ts';
import { param, setParams } from './state.ts';
import { listGroups } from './xray.ts';
import './sampling.css';

/** The picker; `onChange` after the URL was updated. */
export function groupPicker(onChange: () => void, signal?: AbortSignal): { el: HTMLElement; value: () => string } {
  const select = h('select', { 'aria-label': 'Group', name: 'group', title: 'Groups are saved filter expressions (CreateGroup); choosing one narrows the page to its traces' });
  const expression = h('span', { class: 'group-expression mono muted', 'data-testid': 'group-expression' });
  const el = h('label', { class: 'group-picker' }, 'Group ', select, expression);
  const value = () => param('group');
  const show = (groups: { name: string; expression: string }[]) => {
    const current = value();
    // A group in the URL that is gone still shows, so the page's error names it.
    const all = current && !groups.some((g) => g.name === current) ? [...groups, { name: current, expression: '' }] : groups;
    replace(select, h('option', { value: '' }, 'Default (all traces)'), ...all.map((g) => h('option', { value: g.name, title: g.expression }, g.name)));
    select.value = current;
    expression.textContent = all.find((g) => g.name === current)?.expression ?? '';
  };
  let groups: { name: string; expression: string }[] = [];
  show(groups);
  select.addEventListener('change', () => {
    setParams({ group: select.value || undefined });
    expression.textContent = groups.find((g) => g.name === select.value)?.expression ?? '';
    onChange();
  });
  listGroups(signal)
    .then((list) => {
      groups = list.filter((g) => g.GroupName !== 'Default').map((g) => ({ name: g.GroupName, expression: g.FilterExpression ?? '' }));
      show(groups);
    })
    .catch((e) => {
      if (signal?.aborted) return;
      expression.textContent = `groups unavailable: ${e instanceof Error ? e.message : String(e)}`;
    });
  return { el, value };
}
