/**
 * Decides whether an IP address is a public destination the fetcher may
 * connect to. Anything that reaches the fetcher's own host, its network or a
 * cloud metadata service is blocked, with a reason a user can act on.
 *
 * Policy for IPv6 forms that carry an IPv4 address: the embedded IPv4 is
 * classified, because that is where the packets end up.
 * - IPv4-mapped `::ffff:0:0/96` and IPv4-translated `::ffff:0:0:0/96`, NAT64
 *   `64:ff9b::/96`, 6to4 `2002::/16` and Teredo `2001::/32` (client address,
 *   inverted) are allowed exactly when their IPv4 is.
 * - IPv4-compatible `::/96` is deprecated (RFC 4291) and never legitimate, so
 *   it is always blocked; the reason names the IPv4 when that is blocked too.
 * - Local-use NAT64 `64:ff9b:1::/48` is blocked outright: the operator picks
 *   where the IPv4 sits inside it, so it cannot be read reliably.
 */
import ipaddr from 'ipaddr.js';
import { type Ip, bareAddress, inRange, ipv4From, parseIp } from './ip.ts';

/** The classifier's verdict; `reason` is user-facing ("127.0.0.1 is a loopback address"). */
export type Classification = { blocked: false } | { blocked: true; reason: string };

type Rule = [range: [Ip, number], label: string];

function rules(table: [cidr: string, label: string][]): Rule[] {
  return table.map(([cidr, label]) => [ipaddr.parseCIDR(cidr), label]);
}

// First match wins, so the specific metadata addresses come before their ranges.
const V4_RULES = rules([
  ['0.0.0.0/8', 'an unspecified address'],
  ['10.0.0.0/8', 'a private address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.168.0.0/16', 'a private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.169.254/32', 'a link-local address (cloud metadata)'],
  ['169.254.170.2/32', 'a link-local address (cloud metadata)'],
  ['169.254.0.0/16', 'a link-local address'],
  ['192.0.0.0/24', 'an IETF protocol assignment address'],
  ['192.0.2.0/24', 'a documentation address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['240.0.0.0/4', 'a reserved address'],
]);

const V6_RULES = rules([
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['fd00:ec2::254/128', 'a unique local address (cloud metadata)'],
  ['fc00::/7', 'a unique local address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address'],
  ['ff00::/8', 'a multicast address'],
  ['2001:db8::/32', 'a documentation address'],
  ['3fff::/20', 'a documentation address'],
  ['64:ff9b:1::/48', 'a local-use NAT64 address'],
  ['100::/64', 'a discard-only address'],
  ['2001:2::/48', 'a benchmarking address'],
]);

const MAPPED: [Ip, number] = ipaddr.parseCIDR('::ffff:0:0/96');
const TRANSLATED: [Ip, number] = ipaddr.parseCIDR('::ffff:0:0:0/96');
const COMPATIBLE: [Ip, number] = ipaddr.parseCIDR('::/96');
const NAT64: [Ip, number] = ipaddr.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR: [Ip, number] = ipaddr.parseCIDR('2002::/16');
const TEREDO: [Ip, number] = ipaddr.parseCIDR('2001::/32');

/** Classifies an IP address (zone ids and URL brackets ignored); text that is not an IP is blocked. */
export function classifyAddress(ip: string): Classification {
  const shown = bareAddress(ip);
  const parsed = parseIp(shown);
  if (parsed === null) return { blocked: true, reason: `${shown === '' ? 'an empty host' : shown} is not an IP address` };
  const label = parsed.kind() === 'ipv4' ? v4Label(parsed as ipaddr.IPv4) : v6Label(parsed as ipaddr.IPv6);
  return label === undefined ? { blocked: false } : { blocked: true, reason: `${shown} ${label}` };
}

/** "is a loopback address", or undefined for a public IPv4 address. */
function v4Label(ip: ipaddr.IPv4): string | undefined {
  for (const [range, label] of V4_RULES) if (ip.match(range)) return `is ${label}`;
  // Whatever else ipaddr.js knows as special (AS112, AMT, 6to4 relay anycast).
  return ip.range() === 'unicast' ? undefined : 'is a special-purpose address';
}

function v6Label(ip: ipaddr.IPv6): string | undefined {
  const p = ip.parts;
  for (const [range, label] of V6_RULES.slice(0, 2)) if (ip.match(range)) return `is ${label}`;
  if (inRange(ip, MAPPED) || inRange(ip, TRANSLATED) || inRange(ip, NAT64)) return embedded(ipv4From(p[6], p[7]));
  if (inRange(ip, COMPATIBLE)) return embedded(ipv4From(p[6], p[7])) ?? 'is a deprecated IPv4-compatible address';
  if (inRange(ip, SIX_TO_FOUR)) return embedded(ipv4From(p[1], p[2]));
  if (inRange(ip, TEREDO)) return embedded(ipv4From(p[6] ^ 0xffff, p[7] ^ 0xffff));
  for (const [range, label] of V6_RULES.slice(2)) if (ip.match(range)) return `is ${label}`;
  return ip.range() === 'unicast' ? undefined : 'is a special-purpose address';
}

function embedded(v4: ipaddr.IPv4): string | undefined {
  const label = v4Label(v4);
  return label === undefined ? undefined : `embeds ${v4.toString()}, ${label.replace(/^is /, '')}`;
}
