/**
 * Turns a user's URL into a fetch target, the way the connection will see it.
 *
 * WHATWG URL parsing normalises the tricks (`2130706433`, `0x7f.1`, `0177.0.0.1`,
 * `127.1`, `%31%32%37.0.0.1`, `[::ffff:127.0.0.1]`) to canonical hosts before any
 * check runs, so the guard and the socket agree on the destination.
 *
 * URLs with a user name or password are refused: the URL is archived, traced
 * (`remote_url`) and logged, and credentials must not end up in any of them.
 */
import { isIP } from 'node:net';
import { appError } from '@tfa/service-kit/errors';
import type { AllowList } from './allowlist.ts';
import { checkDestination } from './check.ts';
import { bareAddress } from './ip.ts';

/** A parsed http(s) destination. */
export interface Target {
  /** The normalised URL, fragment removed (it is never sent). */
  url: URL;
  /** The host as the socket sees it: IPv6 without brackets, names as written (a trailing dot kept). */
  hostname: string;
  /** The port, defaulted from the scheme. */
  port: number;
}

/** Parses `raw` (relative to `base` for redirects); throws `invalid_url` or `unsupported_scheme`. */
export function parseTarget(raw: string, base?: URL): Target {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw appError('invalid_url', `${clip(raw)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw appError('unsupported_scheme', `${url.protocol.slice(0, -1)} URLs are not fetched: only http and https`);
  }
  if (url.username !== '' || url.password !== '') {
    throw appError('invalid_url', 'URLs with a user name or password are not fetched (they would be archived and traced)');
  }
  if (url.hostname === '') throw appError('invalid_url', `${clip(raw)} has no host`);
  url.hash = '';
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { url, hostname: bareAddress(url.hostname), port };
}

/** Checks a literal-IP host before connecting (sockets skip the lookup for IPs); names are checked at lookup. */
export function checkLiteralTarget(allow: AllowList, target: Target): void {
  if (isIP(target.hostname) !== 0) checkDestination(allow, { hostname: target.hostname, port: target.port, address: target.hostname });
}

function clip(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
}
