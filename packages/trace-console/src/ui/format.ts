/** Formatting shared by every page: durations, times (UTC or local), status classes. */

/** Seconds → `850 µs`, `12.3 ms`, `1.20 s`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const ms = seconds * 1000;
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Whether times are shown in UTC (the default, like X-Ray) or local time; kept in localStorage. */
export function useUtc(): boolean {
  return localStorage.getItem('tz') !== 'local';
}

/** Switches between UTC and local time. */
export function setUtc(utc: boolean): void {
  localStorage.setItem('tz', utc ? 'utc' : 'local');
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Epoch seconds → `2026-11-27 23:04:05.123` in the chosen zone (with a `Z` for UTC). */
export function time(epochSeconds: number, withDate = true): string {
  const d = new Date(epochSeconds * 1000);
  const utc = useUtc();
  const [y, mo, da, hh, mi, ss, ms] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  const clock = `${pad(hh)}:${pad(mi)}:${pad(ss)}.${pad(ms, 3)}${utc ? 'Z' : ''}`;
  return withDate ? `${y}-${pad(mo)}-${pad(da)} ${clock}` : clock;
}

/** Response classes as X-Ray colours them. */
export type Health = 'ok' | 'error' | 'throttle' | 'fault';

/** The class that wins when several flags are set: fault > throttle > error > ok. */
export function health(flags: { error?: boolean; fault?: boolean; throttle?: boolean }): Health {
  return flags.fault ? 'fault' : flags.throttle ? 'throttle' : flags.error ? 'error' : 'ok';
}

/** A value at quantile q (0..1) of ascending-sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** Shortens a number: 1234 → 1.2k. */
export function compact(n: number): string {
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** A rate over `seconds` (at least a minute): `12/min`, `2.5/min`, or per hour when under one a minute (`2/h`, not `0.0/min`). */
export function rate(count: number, seconds: number): string {
  const perMinute = (count / Math.max(60, seconds)) * 60;
  if (perMinute >= 1) return `${compact(Math.round(perMinute * 10) / 10)}/min`;
  const perHour = perMinute * 60;
  return `${perHour >= 10 ? Math.round(perHour) : Math.round(perHour * 10) / 10}/h`;
}

/** A count in full with thin groups: 10000 → `10 000` (narrow no-break spaces). */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}
