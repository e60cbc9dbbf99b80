/**
 * The operator's exemptions from the private-address block (`--allow`,
 * `FETCHER_ALLOW`): a comma list of `host[:port]`, `[v6]:port`, IP or CIDR.
 */
import { type Ip, bareAddress, inRange, parseCidr, parseIp, unmapped } from './ip.ts';

/** Where a connection is about to go: the URL's hostname and port, and the address it resolved to. */
export interface Destination {
  hostname: string;
  port: number;
  address: string;
}

/** A parsed allow list. */
export interface AllowList {
  /** Whether the destination is exempt from the block. */
  allows(destination: Destination): boolean;
  /** The entries as written, for logs and health output. */
  readonly entries: readonly string[];
}

type Entry =
  | { kind: 'name'; name: string; port?: number }
  | { kind: 'ip'; range: [Ip, number]; port?: number };

/** Parses an allow-list spec; throws an Error naming the first bad entry. An empty spec allows nothing. */
export function parseAllowList(spec: string): AllowList {
  const written = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const entries = written.map(parseEntry);
  return {
    entries: written,
    allows(destination) {
      const name = normaliseName(destination.hostname);
      const ip = parseIp(destination.address);
      return entries.some((e) => {
        if (e.port !== undefined && e.port !== destination.port) return false;
        return e.kind === 'name' ? e.name === name : ip !== null && inRange(unmapped(ip), e.range);
      });
    },
  };
}

function parseEntry(raw: string): Entry {
  const fail = (why: string): never => {
    throw new Error(`allow-list entry "${raw}" ${why}`);
  };
  if (raw.includes('/')) {
    const cidr = parseCidr(raw);
    if (cidr === null) fail('is not a valid CIDR range (like 10.0.0.0/8 or fd00::/8)');
    return { kind: 'ip', range: unmappedRange(cidr as [Ip, number]) };
  }
  let host = raw;
  let port: number | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(raw);
  if (bracketed !== null) {
    host = bracketed[1];
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], fail);
    if (parseIp(host) === null || host.includes('%')) fail('does not hold a valid IPv6 address in brackets');
  } else if (parseIp(raw) === null && raw.split(':').length === 2) {
    const colon = raw.indexOf(':');
    host = raw.slice(0, colon);
    port = parsePort(raw.slice(colon + 1), fail);
  }
  const ip = parseIp(host);
  if (ip !== null && !host.includes('%')) return { kind: 'ip', range: single(unmapped(ip)), port };
  if (host.includes(':')) fail('is not a valid IPv6 address (write [v6]:port to give a port)');
  const name = normaliseName(host);
  if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(name)) fail('is not a valid host name');
  // URLs normalise 127.1 or 0x7f.0.0.1 to dotted decimal, so such a name entry could never match.
  if (/^(0x[0-9a-f]*|\d+)$/.test(name.slice(name.lastIndexOf('.') + 1))) fail('looks like an IP address: write it as a dotted quad');
  return { kind: 'name', name, port };
}

function parsePort(text: string, fail: (why: string) => never): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  return port >= 1 && port <= 65535 ? port : fail('has a port outside 1-65535');
}

function normaliseName(hostname: string): string {
  return bareAddress(hostname).toLowerCase().replace(/\.$/, '');
}

function single(ip: Ip): [Ip, number] {
  return [ip, ip.kind() === 'ipv4' ? 32 : 128];
}

// An IPv4-mapped range is written for IPv4 destinations, which `allows` compares unmapped.
function unmappedRange([ip, prefix]: [Ip, number]): [Ip, number] {
  const v4 = unmapped(ip);
  if (v4 === ip) return [ip, prefix];
  return prefix >= 96 ? [v4, prefix - 96] : [ip, prefix];
}
