/**
 * `AWS_XRAY_DAEMON_ADDRESS` / `--daemon` parsing (XRAY-REFERENCE §2.2): `host:port` for
 * both endpoints, or `tcp:host:port udp:host:port` in either order. Unlike the Node SDK we
 * also accept bracketed IPv6 literals (`[::1]:2000`).
 */

/** One host and port. `host` holds an IPv6 literal without brackets. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Where segments (UDP) and sampling API calls (TCP) go. */
export interface DaemonAddress {
  udp: Endpoint;
  tcp: Endpoint;
}

/** The daemon's default address (§2.1). */
export const DEFAULT_DAEMON_ADDRESS = '127.0.0.1:2000';

/** Parses a daemon address; throws an Error whose message names what is wrong. */
export function parseDaemonAddress(value: string): DaemonAddress {
  const tokens = value.trim().split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length === 0) throw new Error('daemon address is empty: expected host:port or "tcp:host:port udp:host:port"');
  if (tokens.length === 1) {
    if (/^(tcp|udp):/i.test(tokens[0]) && !/^(tcp|udp):\d+$/i.test(tokens[0])) {
      throw new Error(`daemon address "${value}" names only one protocol: specify both "tcp:host:port udp:host:port"`);
    }
    const endpoint = parseEndpoint(tokens[0], value);
    return { udp: endpoint, tcp: { ...endpoint } };
  }
  if (tokens.length > 2) throw new Error(`daemon address "${value}" has ${tokens.length} parts: expected "tcp:host:port udp:host:port"`);
  let udp: Endpoint | undefined;
  let tcp: Endpoint | undefined;
  for (const token of tokens) {
    const protocol = token.slice(0, 4).toLowerCase();
    if (protocol === 'udp:' && udp === undefined) udp = parseEndpoint(token.slice(4), value);
    else if (protocol === 'tcp:' && tcp === undefined) tcp = parseEndpoint(token.slice(4), value);
    else throw new Error(`daemon address "${value}": "${token}" must start with tcp: or udp:, each exactly once`);
  }
  return { udp: udp!, tcp: tcp! };
}

function parseEndpoint(text: string, whole: string): Endpoint {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') throw new Error(`daemon address "${whole}": "${text}" must be [ipv6]:port`);
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) throw new Error(`daemon address "${whole}": "${text}" has no port (expected host:port)`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) throw new Error(`daemon address "${whole}": IPv6 literal "${host}" must be in brackets, e.g. [::1]:2000`);
  }
  if (host.length === 0) throw new Error(`daemon address "${whole}": "${text}" has an empty host`);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new Error(`daemon address "${whole}": port "${portText}" is not a number from 1 to 65535`);
  }
  return { host, port: Number(portText) };
}
