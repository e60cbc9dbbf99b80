/**
 * The web console's entry point: the navigation bar, the router and keyboard shortcuts.
 * Pages: / (traces), /trace/{id}, /map, /compare, /diff (two traces), /sampling, /diagnostics.
 */
import './style.css';
import { h, replace } from './dom.ts';
import { comparePage } from './pages/compare.ts';
import { diagnosticsPage } from './pages/diagnostics.ts';
import { diffPage } from './pages/diff.ts';
import { mapPage } from './pages/map.ts';
import { samplingPage } from './pages/sampling.ts';
import { tracePage } from './pages/trace.ts';
import { tracesPage } from './pages/traces.ts';
import { linkHandler, navigate, onNavigate } from './router.ts';

const nav: [string, string, string][] = [
  ['/', 'Traces', 't'],
  ['/map', 'Service map', 'm'],
  ['/compare', 'Compare', 'c'],
  ['/sampling', 'Sampling', 's'],
  ['/diagnostics', 'Diagnostics', 'd'],
];

const main = h('main', { id: 'page' });
const links = nav.map(([href, label, key]) => h('a', { href, 'data-nav': href, title: `${label} (g ${key})` }, label));
document.body.append(h('nav', { class: 'topbar' }, h('a', { href: '/', class: 'brand' }, 'trace-console'), ...links), main);
document.addEventListener('click', linkHandler);

let cleanup: (() => void) | undefined;
let lastPath = '';

function render(force = false): void {
  const path = location.pathname;
  if (!force && path === lastPath) return; // query-only changes are the page's own
  lastPath = path;
  cleanup?.();
  const section = h('section', { class: 'page' });
  replace(main, section);
  const trace = /^\/trace\/([^/]+)$/.exec(path);
  if (trace) cleanup = tracePage(section, decodeURIComponent(trace[1]), () => render(true));
  else if (path === '/map') cleanup = mapPage(section);
  else if (path === '/compare') cleanup = comparePage(section);
  else if (path === '/diagnostics') cleanup = diagnosticsPage(section);
  else if (path === '/sampling') cleanup = samplingPage(section);
  else if (path === '/diff') cleanup = diffPage(section);
  else cleanup = tracesPage(section);
  for (const a of links) a.classList.toggle('active', a.dataset.nav === path || (a.dataset.nav === '/compare' && path === '/diff') || (a.dataset.nav === '/' && (path === '/' || path.startsWith('/trace'))));
}

onNavigate(() => render(true));
render();

// "g" then a letter jumps between pages, like GitHub's shortcuts.
let pendingG = 0;
addEventListener('keydown', (ev) => {
  const target = ev.target as HTMLElement;
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === 'g') {
    pendingG = Date.now();
    return;
  }
  if (Date.now() - pendingG < 1000) {
    const to = nav.find(([, , key]) => key === ev.key);
    if (to) navigate(to[0]);
    pendingG = 0;
  }
});
