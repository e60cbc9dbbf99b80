/**
 * The `http` block (XRAY-REFERENCE §3.4) from both semconv generations (§4.4).
 * Deviations, on purpose: `content_length` is written only when a size is known (the
 * collector writes a made-up 0), `client_ip`/`x_forwarded_for` only on segments (on a
 * CLIENT span the peer address is the server's), and `traced` only when the span says
 * its callee is instrumented (`aws.xray.traced`), since X-Ray then waits for that segment.
 */
import { isIP } from 'node:net';
import type { Http, HttpRequest, HttpResponse } from './types.ts';
import type { Attrs } from './translate-values.ts';
import { int, portString, str } from './translate-values.ts';
import { KIND_CLIENT, KIND_SERVER } from './translate-name.ts';

/** Keys whose presence makes a span an HTTP span (network-level keys alone do not). */
const HTTP_MARKERS = [
  'http.method', 'http.request.method', 'http.status_code', 'http.response.status_code',
  'http.url', 'url.full', 'http.target', 'http.scheme', 'url.scheme', 'http.host',
  'http.server_name', 'http.user_agent', 'user_agent.original', 'http.client_ip',
];

/** Attributes the http block consumes: not repeated in metadata when the block exists. */
export const HTTP_KEYS: ReadonlySet<string> = new Set([
  ...HTTP_MARKERS,
  'url.path', 'url.query', 'client.address', 'net.peer.ip', 'network.peer.address',
  'net.host.name', 'host.name', 'server.address', 'net.host.port', 'server.port',
  'net.peer.name', 'net.peer.port', 'network.peer.port', 'http.status_text',
  'http.response.body.size', 'http.response_content_length', 'aws.xray.traced',
]);

/** The HTTP status code of a span, from either semconv generation. */
export function httpStatus(attrs: Attrs): number | undefined {
  return int(attrs['http.status_code']) ?? int(attrs['http.response.status_code']);
}

/** Minimal event shape the http mapper reads (message size events). */
export interface TranslatorEventLike {
  readonly name: string;
  readonly attributes?: Attrs;
}

/** The `http` block of a span, or undefined when it has no HTTP attribute. */
export function makeHttp(kind: number, isSegment: boolean, attrs: Attrs, events: readonly TranslatorEventLike[]): Http | undefined {
  let isHttp = false;
  for (let i = 0; i < HTTP_MARKERS.length; i++) {
    if (attrs[HTTP_MARKERS[i]] !== undefined) {
      isHttp = true;
      break;
    }
  }
  if (!isHttp) return undefined;

  const request: HttpRequest = {};
  let v: string | undefined;
  if ((v = str(attrs['http.method']) ?? str(attrs['http.request.method'])) !== undefined) request.method = v;
  if ((v = str(attrs['http.url']) ?? str(attrs['url.full']) ?? assembleUrl(kind, attrs)) !== undefined) request.url = v;
  if ((v = str(attrs['http.user_agent']) ?? str(attrs['user_agent.original'])) !== undefined) request.user_agent = v;
  if (isSegment) addClientIp(request, attrs);
  if (!isSegment && kind === KIND_CLIENT && attrs['aws.xray.traced'] === true) request.traced = true;

  const response: HttpResponse = {};
  const status = httpStatus(attrs);
  if (status !== undefined) response.status = status;
  const length = int(attrs['http.response.body.size']) ?? int(attrs['http.response_content_length']) ?? receivedSize(attrs, events);
  if (length !== undefined) response.content_length = length;

  const http: Http = {};
  if (hasAny(request)) http.request = request;
  if (hasAny(response)) http.response = response;
  return http;
}

function hasAny(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function addClientIp(request: HttpRequest, attrs: Attrs): void {
  const peer = validIp(attrs['net.peer.ip']) ?? validIp(attrs['network.peer.address']);
  const ip = validIp(attrs['client.address']) ?? str(attrs['http.client_ip']) ?? peer;
  if (ip === undefined) return;
  request.client_ip = ip;
  // Without a socket peer address the client ip can only have come from a forwarding header.
  if (peer === undefined) request.x_forwarded_for = true;
}

function validIp(value: unknown): string | undefined {
  return typeof value === 'string' && isIP(value) !== 0 ? value : undefined;
}

/** Size from a `message.type=RECEIVED` attribute set or event (old RPC/HTTP convention, §4.4). */
function receivedSize(attrs: Attrs, events: readonly TranslatorEventLike[]): number | undefined {
  if (attrs['message.type'] === 'RECEIVED') {
    const n = int(attrs['messaging.message.payload_size_bytes']) ?? int(attrs['message.uncompressed_size']);
    if (n !== undefined) return n;
  }
  for (let i = 0; i < events.length; i++) {
    const a = events[i].attributes;
    if (a !== undefined && a['message.type'] === 'RECEIVED') {
      const n = int(a['messaging.message.payload_size_bytes']) ?? int(a['message.uncompressed_size']);
      if (n !== undefined) return n;
    }
  }
  return undefined;
}

/** `scheme://host[:port]path[?query]` from parts, when no full URL attribute exists (§4.4). */
function assembleUrl(kind: number, attrs: Attrs): string | undefined {
  const scheme = str(attrs['http.scheme']) ?? str(attrs['url.scheme']) ?? 'http';
  let host = str(attrs['http.host']);
  let port: string | undefined;
  if (host === undefined) {
    if (kind === KIND_SERVER) {
      host = str(attrs['http.server_name']) ?? str(attrs['net.host.name']) ?? str(attrs['host.name']) ?? str(attrs['server.address']);
      port = portString(attrs['net.host.port']) ?? portString(attrs['server.port']);
    } else {
      host = str(attrs['net.peer.name']) ?? str(attrs['net.peer.ip']) ?? str(attrs['server.address']);
      port = portString(attrs['net.peer.port']) ?? portString(attrs['server.port']) ?? portString(attrs['network.peer.port']);
    }
    if (host === undefined) return undefined;
    if (host.includes(':') && !host.startsWith('[')) host = '[' + host + ']';
  }
  let url = scheme + '://' + host;
  if (port !== undefined && !(scheme === 'http' && port === '80') && !(scheme === 'https' && port === '443')) url += ':' + port;
  const target = str(attrs['http.target']);
  if (target !== undefined) return url + target;
  url += str(attrs['url.path']) ?? '/';
  const query = str(attrs['url.query']);
  return query === undefined ? url : url + '?' + query;
}
