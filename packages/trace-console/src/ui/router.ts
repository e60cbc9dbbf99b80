/** Client-side routing over the History API: every page has a real URL the server answers with index.html. */

type Listener = () => void;
const listeners: Listener[] = [];

/** Goes to a same-origin path (with query) and re-renders. */
export function navigate(url: string): void {
  history.pushState(null, '', url);
  for (const l of listeners) l();
}

/** Runs `listener` on navigation (including back/forward). */
export function onNavigate(listener: Listener): void {
  listeners.push(listener);
  if (listeners.length === 1) addEventListener('popstate', () => listeners.forEach((l) => l()));
}

/** A link that the router follows without a reload (plain click), or the browser does (new tab). */
export function linkHandler(ev: MouseEvent): void {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = (ev.target as Element).closest?.('a');
  if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin || a.pathname.startsWith('/api/')) return;
  ev.preventDefault();
  navigate(a.pathname + a.search);
}
