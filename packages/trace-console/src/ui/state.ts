/** The view's state lives in the URL (filter, time range, selected trace/span), so a link reproduces it. */

/** A query parameter of the current URL, or the fallback. */
export function param(name: string, fallback = ''): string {
  return new URLSearchParams(location.search).get(name) ?? fallback;
}

/** Sets (or with '' / undefined, removes) query parameters without adding a history entry. */
export function setParams(values: Record<string, string | undefined>, push = false): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const search = q.toString();
  const url = `${location.pathname}${search ? `?${search}` : ''}${location.hash}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

/** Time range presets: label → seconds (0 = everything kept). */
export const ranges: [string, number][] = [
  ['5m', 300],
  ['15m', 900],
  ['1h', 3600],
  ['6h', 6 * 3600],
  ['24h', 24 * 3600],
  ['all', 0],
];

/** The chosen range in seconds (default 1h). */
export function rangeSeconds(): number {
  const r = param('range', '1h');
  return ranges.find(([label]) => label === r)?.[1] ?? 3600;
}

/** `since` for the chosen range, epoch seconds; undefined for "all". */
export function rangeSince(): number | undefined {
  const s = rangeSeconds();
  return s === 0 ? undefined : Date.now() / 1000 - s;
}
