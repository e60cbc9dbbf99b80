/**
 * Safe on a developer's machine: a web page open in the user's browser must not drive the
 * console. A DNS-rebinding page reaches 127.0.0.1 under its own name, so a request whose Host
 * is not the console's own address, `localhost` or a name given with `--allow-host` is refused
 * (as the MCP specification asks of local servers); a state-changing request from another
 * site's page carries that site's Origin, so one with a foreign Origin is refused too.
 * Clients that are not browsers (AWS SDKs and CLI, OTLP exporters, X-Ray SDKs) send no Origin.
 */
import { isIP } from 'node:net';
import type { App } from '@tfa/service-kit/http';
import { errorBody, sendError } from '@tfa/service-kit/http';

/** Where the console listens and which other host names it answers to. */
export interface HostGuardOptions {
  listenHost: string;
  /** Extra names from --allow-host (a proxy's name, a container's). */
  allowHosts: string[];
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const WILDCARD = new Set(['0.0.0.0', '::']);

/** The host name of a Host header or an origin's authority (`[::1]:2000` → `::1`), lower case. */
export function hostName(authority: string): string {
  const a = authority.trim().toLowerCase();
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (v6) return v6[1]!;
  return a.replace(/:\d+$/, '');
}

/** True when `name` is one the console answers to. */
export function allowedHost(name: string, options: HostGuardOptions): boolean {
  const listen = options.listenHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name === listen || options.allowHosts.includes(name)) return true;
  // Listening on every address: any of the machine's IP literals is its own; names still need --allow-host.
  return WILDCARD.has(listen) && isIP(name) !== 0;
}

/** Parses --allow-host: a comma list of host names (no ports, no schemes). */
export function parseAllowHosts(raw: string): string[] {
  const names = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const n of names) if (!/^[a-z0-9.-]+$|^[0-9a-f:]+$/.test(n)) throw new Error(`expected host names such as console.local, got ${JSON.stringify(n)}`);
  return names;
}

/** Refuses foreign Host headers and foreign Origins of state-changing requests, before anything else runs. */
export function registerHostGuard(app: App, options: HostGuardOptions): void {
  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host;
    // HTTP/1.0 may omit Host (Node refuses an HTTP/1.1 request without one); no browser does.
    if (host !== undefined && !allowedHost(hostName(host), options)) {
      return sendError(reply, errorBody(req.id, 'forbidden_host', 403, `Host ${JSON.stringify(host)} is not this console's address; start it with --allow-host ${hostName(host)} if that name is yours`));
    }
    const origin = req.headers.origin;
    if (origin !== undefined && STATE_CHANGING.has(req.method) && !sameSite(origin, host, options)) {
      return sendError(reply, errorBody(req.id, 'forbidden_origin', 403, `a ${req.method} from the page at ${JSON.stringify(origin)} is refused: only the console's own pages may change its state`));
    }
  });
}

/** The console's own pages (the origin of the request's own Host), or an --allow-host name. */
function sameSite(origin: string, host: string | undefined, options: HostGuardOptions): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" (a sandboxed frame, a file) and anything unparsable
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (host !== undefined && url.host === host.trim().toLowerCase()) return true;
  return options.allowHosts.includes(hostName(url.host));
}
