/**
 * Strict IP parsing shared by the classifier and the allow list.
 *
 * ipaddr.js alone is too lenient for a security check: it takes `127.1` and
 * `0x7f.1` as IPv4 and reads `::1.2.3.4` (IPv4-compatible) as `::ffff:1.2.3.4`
 * (IPv4-mapped). Here only canonical text is accepted (what DNS answers and
 * WHATWG URL hostnames look like) and dotted IPv6 tails are rewritten as hex
 * before ipaddr.js sees them.
 */
import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** A parsed IPv4 or IPv6 address. */
export type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** Drops an IPv6 zone id (`fe80::1%eth0`) and URL brackets (`[::1]`): neither changes where packets go. */
export function bareAddress(text: string): string {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  return zone === -1 ? s : s.slice(0, zone);
}

/** Parses a canonical IPv4 (dotted quad) or IPv6 address, or returns null. */
export function parseIp(text: string): Ip | null {
  const s = bareAddress(text);
  const family = isIP(s);
  if (family === 4) return ipaddr.IPv4.parse(s);
  if (family !== 6) return null;
  return ipaddr.IPv6.parse(s.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`));
}

/** The IPv4 address held in 32 bits of an IPv6 address, given as two 16-bit parts. */
export function ipv4From(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as the IPv4 address the kernel really uses. */
export function unmapped(ip: Ip): Ip {
  if (ip.kind() === 'ipv6') {
    const p = (ip as ipaddr.IPv6).parts;
    if (p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0xffff) return ipv4From(p[6], p[7]);
  }
  return ip;
}

/** Parses `addr/prefix` strictly, or returns null. */
export function parseCidr(text: string): [Ip, number] | null {
  const slash = text.indexOf('/');
  if (slash === -1) return null;
  const ip = parseIp(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (ip === null || !/^\d{1,3}$/.test(bits)) return null;
  const prefix = Number(bits);
  return prefix <= (ip.kind() === 'ipv4' ? 32 : 128) ? [ip, prefix] : null;
}

/** Whether `ip` lies in `range`; an IPv4 address never matches an IPv6 range and vice versa. */
export function inRange(ip: Ip, range: [Ip, number]): boolean {
  return ip.kind() === range[0].kind() && ip.match(range);
}
