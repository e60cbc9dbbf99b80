/**
 * A DNS lookup for `net.connect` / undici's `connect.lookup` that checks every
 * address a name resolves to and hands the socket exactly those addresses.
 * The socket connects to what was checked, with no second resolution, so a
 * DNS answer that changes between check and connect (rebinding) cannot slip
 * a private address through.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { AllowList } from './allowlist.ts';
import { checkDestination } from './check.ts';
import { bareAddress } from './ip.ts';

/** One resolved address, as `dns.lookup(..., {all: true})` gives it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses; injectable so tests never touch real DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Builds the system resolver over `lookup` (getaddrinfo by default, so /etc/hosts counts), asking for every address. */
export function createSystemResolver(lookup: (hostname: string, options: { all: true }) => Promise<ResolvedAddress[]> = dnsLookup): Resolver {
  // RFC 6761: localhost names are loopback by definition. getaddrinfo only knows the exact
  // "localhost" from /etc/hosts; "localhost." or "a.localhost" would go out to DNS instead.
  return (hostname) => lookup(/^([^.]+\.)*localhost\.?$/i.test(hostname) ? 'localhost' : hostname, { all: true });
}

/** The system resolver. */
export const systemResolver: Resolver = createSystemResolver();

/** What the guarded lookup needs: the allow list, the port being connected to (for `host:port` entries), a resolver. */
export interface GuardedLookupOptions {
  allow: AllowList;
  port: number;
  resolve?: Resolver;
}

/** Builds a `lookup` for one destination port; a blocked address fails the lookup with `blocked_destination`. */
export function createGuardedLookup(options: GuardedLookupOptions): LookupFunction {
  const { allow, port, resolve = systemResolver } = options;
  return (hostname, lookupOptions, callback) => {
    const host = bareAddress(hostname);
    const family = isIP(host);
    // net.connect skips lookup for literal IPs, but a caller passing one still gets it checked.
    const answer = family !== 0 ? Promise.resolve([{ address: host, family }]) : Promise.resolve(host).then(resolve);
    answer.then((addresses) => {
      const checked = checkAll(allow, host, port, addresses);
      const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? checked.filter((a) => a.family === lookupOptions.family) : checked;
      if (wanted.length === 0) throw notFound(host);
      return wanted;
    }).then(
      // Called outside the promise chain so a throw inside net.connect is not mistaken for a lookup failure.
      (wanted) => process.nextTick(() => {
        if (lookupOptions.all === true) callback(null, wanted);
        else callback(null, wanted[0].address, wanted[0].family);
      }),
      (err: NodeJS.ErrnoException) => process.nextTick(() => callback(err, '')),
    );
  };
}

/** Checks every address (the socket may fall back to any of them) and returns copies to connect to. */
function checkAll(allow: AllowList, hostname: string, port: number, addresses: ResolvedAddress[]): ResolvedAddress[] {
  if (addresses.length === 0) throw notFound(hostname);
  for (const { address } of addresses) checkDestination(allow, { hostname, port, address });
  return addresses.map(({ address, family }) => ({ address, family }));
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${hostname} has no usable address`), { code: 'ENOTFOUND', hostname });
}
