/**
 * Document name and namespace (XRAY-REFERENCE §4.2, §4.3) with our product decisions:
 * every name is sanitized (not just the span-name fallback), a CLIENT span without a
 * logical peer name is named after the host it called (so the service map gets one node
 * per remote host, not one called `GET`), and DB spans are named `<db>@<host>`.
 */
import type { Attrs } from './translate-values.ts';
import { str } from './translate-values.ts';

/** OTel SpanKind numbers (API enum values; OTLP's are these plus one). */
export const KIND_INTERNAL = 0;
/** See KIND_INTERNAL. */
export const KIND_SERVER = 1;
/** See KIND_INTERNAL. */
export const KIND_CLIENT = 2;
/** See KIND_INTERNAL. */
export const KIND_PRODUCER = 3;
/** See KIND_INTERNAL. */
export const KIND_CONSUMER = 4;

const MAX_NAME = 200;
// X-Ray's name charset (§3.1): Unicode letters, digits, whitespace and _ . : / % & # = + - @
const NAME_BAD_CHARS = /[^\p{L}\p{Nd}\s_.:/%&#=+\-@]/gu;
const NAME_HAS_BAD = /[^\p{L}\p{Nd}\s_.:/%&#=+\-@]/u;

// The ASCII characters of that charset, by code: a name made of these alone skips the
// Unicode-property regex, which costs ~1 400 instructions a span even for "archiver".
const NAME_ASCII_OK = new Uint8Array(128);
for (let c = 0; c < 128; c++) NAME_ASCII_OK[c] = NAME_HAS_BAD.test(String.fromCharCode(c)) ? 0 : 1;

function plainAsciiName(raw: string): boolean {
  if (raw.length > MAX_NAME) return false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c > 127 || NAME_ASCII_OK[c] === 0) return false;
  }
  return true;
}

/** Removes characters X-Ray rejects in names and cuts to 200 code points; `fallback` if empty. */
export function sanitizeName(raw: string, fallback = 'span'): string {
  if (plainAsciiName(raw)) {
    const trimmed = raw.trim();
    return trimmed.length > 0 ? trimmed : fallback;
  }
  let name = NAME_HAS_BAD.test(raw) ? raw.replace(NAME_BAD_CHARS, '') : raw;
  if (name.length > MAX_NAME) name = Array.from(name).slice(0, MAX_NAME).join('');
  name = name.trim();
  return name.length > 0 ? name : fallback;
}

/** True for spans made by an AWS SDK instrumentation (§4.3). */
export function isAwsSdkSpan(attrs: Attrs): boolean {
  return attrs['rpc.system'] === 'aws-api' || attrs['aws.service'] !== undefined;
}

/** The host part of `host[:port]` or `[v6]:port`, without the port. */
export function hostWithoutPort(hostport: string): string {
  if (hostport.startsWith('[')) {
    const close = hostport.indexOf(']');
    return close > 0 ? hostport.slice(1, close) : hostport;
  }
  const colon = hostport.indexOf(':');
  // More than one colon and no brackets: a bare IPv6 address, no port to strip.
  if (colon < 0 || hostport.indexOf(':', colon + 1) >= 0) return hostport;
  return hostport.slice(0, colon);
}

/** Host of an absolute URL without allocating a URL object (authority minus userinfo/port). */
export function hostOfUrl(url: string): string | undefined {
  const scheme = url.indexOf('://');
  if (scheme < 0) return undefined;
  let end = url.length;
  for (let i = scheme + 3; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
      end = i;
      break;
    }
  }
  let authority = url.slice(scheme + 3, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  const host = hostWithoutPort(authority);
  return host.length > 0 ? host : undefined;
}

/** The database name and host of a DB span, or undefined for non-DB spans. */
export function dbName(attrs: Attrs): string | undefined {
  const system = str(attrs['db.system.name']) ?? str(attrs['db.system']);
  const name = str(attrs['db.namespace']) ?? str(attrs['db.name']);
  if (system === undefined && name === undefined) return undefined;
  const host = str(attrs['server.address']) ?? str(attrs['net.peer.name']) ?? hostOfConnectionString(attrs);
  const base = name ?? system!;
  return host === undefined ? base : base + '@' + host;
}

function hostOfConnectionString(attrs: Attrs): string | undefined {
  let cs = str(attrs['db.connection_string']);
  if (cs === undefined) return undefined;
  if (cs.startsWith('jdbc:')) cs = cs.slice(5);
  return hostOfUrl(cs);
}

/** Name of a span's document: first matching rule of §4.2 (modified as the module says). */
export function documentName(kind: number, spanName: string, attrs: Attrs, resource: Attrs): string {
  const raw = rawName(kind, spanName, attrs, resource);
  const name = raw === undefined ? '' : sanitizeName(raw, '');
  return name.length > 0 ? name : sanitizeName(spanName);
}

function rawName(kind: number, spanName: string, attrs: Attrs, resource: Attrs): string | undefined {
  let v: string | undefined;
  if (kind === KIND_SERVER || (kind === KIND_INTERNAL && attrs['aws.span.kind'] === 'LOCAL_ROOT')) {
    if ((v = str(attrs['aws.local.service'])) !== undefined) return v;
  }
  const outbound = kind === KIND_CLIENT || kind === KIND_PRODUCER || kind === KIND_CONSUMER;
  if (outbound && (v = str(attrs['aws.remote.service'])) !== undefined) {
    return isAwsSdkSpan(attrs) ? stripAwsPrefix(v) : v;
  }
  if ((v = str(attrs['peer.service'])) !== undefined) return v;
  if ((v = str(attrs['aws.service'])) !== undefined) return v;
  if ((v = dbName(attrs)) !== undefined) return v;
  if (kind === KIND_SERVER && (v = str(resource['service.name'])) !== undefined) return v;
  if ((v = str(attrs['rpc.service'])) !== undefined) return v;
  if (kind === KIND_CLIENT) return clientHost(attrs);
  if ((v = str(attrs['http.host'])) !== undefined) return v;
  return str(attrs['net.peer.name']);
}

/** CLIENT spans: the host called, from any semconv generation, without the port. */
function clientHost(attrs: Attrs): string | undefined {
  let v: string | undefined;
  if ((v = str(attrs['http.host'])) !== undefined) return hostWithoutPort(v);
  if ((v = str(attrs['net.peer.name'])) !== undefined) return v;
  if ((v = str(attrs['server.address'])) !== undefined) return v;
  if ((v = str(attrs['url.full'])) !== undefined) return hostOfUrl(v);
  if ((v = str(attrs['http.url'])) !== undefined) return hostOfUrl(v);
  return undefined;
}

function stripAwsPrefix(name: string): string {
  if (name.startsWith('AWS.SDK.')) return name.slice(8);
  if (name.startsWith('AWS::')) return name.slice(5);
  return name;
}

/** Namespace of a subsegment (§4.3): `aws`, `remote`, or undefined for local work. */
export function documentNamespace(kind: number, attrs: Attrs): 'aws' | 'remote' | undefined {
  if (isAwsSdkSpan(attrs)) return 'aws';
  if (kind === KIND_CLIENT) return 'remote';
  if ((kind === KIND_PRODUCER || kind === KIND_CONSUMER) && attrs['aws.remote.service'] !== undefined) return 'remote';
  return undefined;
}
