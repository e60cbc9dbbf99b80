/**
 * Translator table (XRAY-REFERENCE §4): each case is a partial span and the parts of the
 * document a user of the X-Ray console would see; every output also passes the
 * independent document validator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spanToDocument } from '../src/wire/translate.ts';
import type { TranslateOptions, TranslatorSpan } from '../src/wire/translate.ts';
import { assertValidDocument } from './validate.ts';
import { child, END, Kind, PARENT_ID, sequentialIds, span, SPAN_ID, START, v8Stack, XRAY_TRACE_ID } from './fixtures.ts';

interface Case {
  name: string;
  span: TranslatorSpan;
  options?: TranslateOptions;
  /** Deep subset the document must contain. */
  expect: Record<string, unknown>;
  /** Dotted paths (segments split on '|') that must be absent. */
  absent?: string[];
}

const newServerAttrs = {
  'http.request.method': 'GET', 'url.scheme': 'http', 'url.path': '/fetch/x', 'url.query': 'a=1',
  'server.address': '127.0.0.1', 'server.port': 8081, 'http.response.status_code': 200,
  'client.address': '127.0.0.1', 'network.peer.address': '127.0.0.1', 'user_agent.original': 'curl/8.5',
  'http.route': '/fetch/*',
};
const clientHttp = (status: number | undefined, extra: Record<string, unknown> = {}) => ({
  'http.request.method': 'GET', 'url.full': 'https://example.com/page?q=1', 'server.address': 'example.com', 'server.port': 443,
  ...(status === undefined ? {} : { 'http.response.status_code': status }), ...extra,
});
const flags = (error: boolean, throttle: boolean, fault: boolean) => ({ error, throttle, fault });
const annotationKeys = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i]));

const cases: Case[] = [
  {
    name: 'server root span (new semconv) → segment named after the service, http, sdk, resource metadata',
    span: span({ kind: Kind.SERVER, name: 'GET /fetch/*', attributes: newServerAttrs }),
    expect: {
      name: 'fetcher', id: SPAN_ID, trace_id: XRAY_TRACE_ID, start_time: START, end_time: END, ...flags(false, false, false),
      http: { request: { method: 'GET', url: 'http://127.0.0.1:8081/fetch/x?a=1', user_agent: 'curl/8.5', client_ip: '127.0.0.1' }, response: { status: 200 } },
      service: { version: '0.1.0' },
      aws: { xray: { sdk: 'opentelemetry for nodejs', sdk_version: '3.1.1' } },
      metadata: { default: { 'http.route': '/fetch/*', 'otel.resource.host.arch': 'x64', 'otel.resource.service.name': 'fetcher' } },
    },
    absent: ['type', 'parent_id', 'namespace', 'cause', 'http.request.x_forwarded_for', 'http.response.content_length',
      'metadata.default|http.request.method', 'metadata.default|server.address', 'metadata.default|otel.resource.service.version',
      'metadata.default|otel.resource.telemetry.sdk.name'],
  },
  {
    name: 'server span with a remote parent → segment with parent_id',
    span: span({ kind: Kind.SERVER, parentSpanId: PARENT_ID, attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201 } }),
    expect: { name: 'fetcher', parent_id: PARENT_ID, http: { request: { method: 'POST' }, response: { status: 201 } } },
    absent: ['type', 'namespace'],
  },
  {
    name: 'CLIENT http 200 → remote subsegment named after the host',
    span: child(Kind.CLIENT, { name: 'GET', attributes: clientHttp(200) }),
    expect: {
      type: 'subsegment', trace_id: XRAY_TRACE_ID, parent_id: PARENT_ID, namespace: 'remote', name: 'example.com',
      http: { request: { method: 'GET', url: 'https://example.com/page?q=1' }, response: { status: 200 } }, ...flags(false, false, false),
    },
    absent: ['aws', 'service', 'origin', 'http.request.client_ip', 'http.request.traced', 'metadata.default|otel.resource.host.arch'],
  },
  { name: 'CLIENT 404 → error', span: child(Kind.CLIENT, { attributes: clientHttp(404) }), expect: flags(true, false, false), absent: ['cause'] },
  { name: 'CLIENT 429 → error + throttle', span: child(Kind.CLIENT, { attributes: clientHttp(429) }), expect: flags(true, true, false) },
  { name: 'CLIENT 500 → fault', span: child(Kind.CLIENT, { attributes: clientHttp(500), status: { code: 2 } }), expect: flags(false, false, true) },
  {
    name: 'CLIENT 4xx with ERROR status stays error only',
    span: child(Kind.CLIENT, { attributes: clientHttp(403), status: { code: 2, message: 'Forbidden' } }),
    expect: { ...flags(true, false, false), cause: { exceptions: [{ message: 'Forbidden', remote: true }] } },
  },
  {
    name: 'CLIENT network error with exception event → fault, remote exception with V8 stack',
    span: child(Kind.CLIENT, {
      attributes: clientHttp(undefined),
      status: { code: 2, message: 'connect ECONNREFUSED' },
      events: [{ name: 'exception', time: END, attributes: { 'exception.type': 'Error', 'exception.message': 'connect ECONNREFUSED 1.2.3.4:443', 'exception.stacktrace': v8Stack('connect ECONNREFUSED', 3) } }],
    }),
    options: { newId: sequentialIds() },
    expect: {
      ...flags(false, false, true), name: 'example.com',
      cause: { exceptions: [{ id: '0000000000000001', type: 'Error', message: 'connect ECONNREFUSED 1.2.3.4:443', remote: true,
        stack: [{ path: '/app/src/file0.ts', line: 1, label: 'fn0' }, { path: '/app/src/file1.ts', line: 2, label: 'fn1' }, { path: '/app/src/file2.ts', line: 3, label: 'fn2' }] }] },
    },
    absent: ['http.response', 'cause.exceptions|1'],
  },
  {
    name: 'exception stack capped at 50 frames, rest counted',
    span: child(Kind.INTERNAL, { status: { code: 2 }, events: [{ name: 'exception', time: END, attributes: { 'exception.type': 'RangeError', 'exception.stacktrace': v8Stack('deep', 80) } }] }),
    expect: { fault: true, cause: { exceptions: [{ type: 'RangeError', remote: false, truncated: 30 }] } },
  },
  {
    name: 'DB sqlite span (new semconv) → sql block, remote, named after the database',
    span: child(Kind.CLIENT, { name: 'SELECT archive', attributes: { 'db.system.name': 'sqlite', 'db.namespace': '/data/archive.db', 'db.query.text': 'SELECT * FROM archive WHERE id = ?', 'db.operation.name': 'SELECT' } }),
    expect: {
      name: '/data/archive.db', namespace: 'remote',
      sql: { database_type: 'sqlite', url: 'sqlite:///data/archive.db', sanitized_query: 'SELECT * FROM archive WHERE id = ?' },
      metadata: { default: { 'db.operation.name': 'SELECT', 'db.namespace': '/data/archive.db' } },
    },
    absent: ['http', 'metadata.default|db.query.text', 'metadata.default|db.system.name'],
  },
  {
    name: 'DB postgresql span (old semconv) → db@host name, password-free url, user',
    span: child(Kind.CLIENT, { attributes: { 'db.system': 'postgresql', 'db.name': 'archive', 'db.statement': 'INSERT INTO archive VALUES ($1)', 'db.user': 'app', 'net.peer.name': 'db.local', 'net.peer.port': 5432 } }),
    expect: { name: 'archive@db.local', sql: { database_type: 'postgresql', url: 'postgresql://db.local:5432/archive', user: 'app', sanitized_query: 'INSERT INTO archive VALUES ($1)' } },
  },
  {
    name: 'DB connection string with password → password removed',
    span: child(Kind.CLIENT, { attributes: { 'db.system': 'mysql', 'db.connection_string': 'mysql://root:hunter2@db.local:3306/shop' } }),
    expect: { name: 'mysql@db.local', sql: { url: 'mysql://root@db.local:3306/shop' } },
  },
  {
    name: 'INTERNAL child span → local subsegment with sanitized span name',
    span: child(Kind.INTERNAL, { name: 'render <page> (fast)!', attributes: { 'page.size': 3 } }),
    expect: { type: 'subsegment', name: 'render page fast', metadata: { default: { 'page.size': 3 } }, ...flags(false, false, false) },
    absent: ['namespace', 'http', 'cause'],
  },
  {
    name: 'annotations from aws.xray.annotations: bad key chars → _, non-scalars → metadata',
    span: span({ kind: Kind.SERVER, attributes: { remote_url: 'https://example.com/', remote_status: 200, 'bad-key.x': 'v', tags: ['a', 'b'], 'aws.xray.annotations': ['remote_url', 'remote_status', 'bad-key.x', 'tags', 'missing'] } }),
    expect: { annotations: { remote_url: 'https://example.com/', remote_status: 200, bad_key_x: 'v' }, metadata: { default: { tags: ['a', 'b'] } } },
    absent: ['metadata.default|remote_url', 'metadata.default|bad-key.x', 'metadata.default|aws.xray.annotations', 'annotations.tags', 'annotations.missing'],
  },
  {
    name: 'indexedAttributes option annotates span and (on segments) resource keys',
    span: span({ kind: Kind.SERVER, attributes: { tenant: 'acme', ok: true } }),
    options: { indexedAttributes: ['tenant', 'ok', 'service.name'] },
    expect: { annotations: { tenant: 'acme', ok: true, service_name: 'fetcher' } },
    absent: ['metadata.default|tenant', 'metadata.default|otel.resource.service.name'],
  },
  {
    name: 'at most 50 annotations; the rest stay metadata',
    span: child(Kind.INTERNAL, { attributes: { ...annotationKeys, 'aws.xray.annotations': Object.keys(annotationKeys) } }),
    expect: { annotations: { k0: 0, k49: 49 }, metadata: { default: { k50: 50, k59: 59 } } },
    absent: ['annotations.k50'],
  },
  {
    name: 'CLIENT http (old semconv) → same name and url as the new generation',
    span: child(Kind.CLIENT, { attributes: { 'http.method': 'GET', 'http.url': 'https://example.com/page?q=1', 'http.host': 'example.com:443', 'net.peer.name': 'example.com', 'http.status_code': 200 } }),
    expect: { name: 'example.com', namespace: 'remote', http: { request: { method: 'GET', url: 'https://example.com/page?q=1' }, response: { status: 200 } } },
    absent: ['metadata.default|http.host', 'metadata.default|net.peer.name'],
  },
  {
    name: 'SERVER http (old semconv) → assembled url, forwarded client ip, 503 fault',
    span: span({ kind: Kind.SERVER, attributes: { 'http.method': 'GET', 'http.scheme': 'https', 'http.host': 'api.example.com', 'http.target': '/x?y=1', 'http.status_code': 503, 'http.client_ip': '203.0.113.9', 'http.user_agent': 'ua' } }),
    expect: { http: { request: { url: 'https://api.example.com/x?y=1', client_ip: '203.0.113.9', x_forwarded_for: true, user_agent: 'ua' }, response: { status: 503 } }, ...flags(false, false, true) },
  },
  {
    name: 'CLIENT with peer.service and aws.xray.traced → named after the service, traced',
    span: child(Kind.CLIENT, { attributes: { ...clientHttp(201), 'url.full': 'http://127.0.0.1:8080/archive', 'peer.service': 'archiver', 'aws.xray.traced': true } }),
    expect: { name: 'archiver', http: { request: { traced: true, url: 'http://127.0.0.1:8080/archive' } }, metadata: { default: { 'peer.service': 'archiver' } } },
    absent: ['metadata.default|aws.xray.traced'],
  },
  {
    name: 'enduser.id → user; scope → metadata; links → links',
    span: span({ kind: Kind.SERVER, attributes: { 'enduser.id': 'alice' }, scope: { name: 'fetcher-http', version: '1.0.0' },
      links: [{ traceId: '6592008100000000000000000000beef', spanId: 'abcdefabcdefabcd', attributes: { reason: 'retry' } }] }),
    expect: { user: 'alice', metadata: { default: { 'otel.scope.name': 'fetcher-http', 'otel.scope.version': '1.0.0' } },
      links: [{ trace_id: '1-65920081-00000000000000000000beef', id: 'abcdefabcdefabcd', attributes: { reason: 'retry' } }] },
    absent: ['metadata.default|enduser.id'],
  },
  {
    name: 'aws.xray.metadata.<ns> JSON → its own namespace; non-JSON kept raw',
    span: child(Kind.INTERNAL, { attributes: { 'aws.xray.metadata.debug': '{"cache":"miss","n":2}', 'aws.xray.metadata.raw': 'not json' } }),
    expect: { metadata: { debug: { cache: 'miss', n: 2 }, default: { 'aws.xray.metadata.raw': 'not json' } } },
    absent: ['metadata.default|aws.xray.metadata.debug'],
  },
  {
    name: 'running span → in_progress',
    span: span({ kind: Kind.SERVER, endTime: undefined }),
    expect: { in_progress: true },
    absent: ['end_time'],
  },
  {
    name: 'ERROR status without exception events → one exception from the status message',
    span: child(Kind.INTERNAL, { status: { code: 2, message: 'archive write failed' } }),
    expect: { fault: true, cause: { exceptions: [{ message: 'archive write failed', remote: false }] } },
  },
  { name: 'ERROR status with an empty message → fault, no cause', span: child(Kind.INTERNAL, { status: { code: 2, message: '' } }), expect: { fault: true }, absent: ['cause'] },
  {
    name: 'segment name sanitized and cut to 200',
    span: span({ kind: Kind.SERVER, resource: { 'service.name': 'my service (v2)!' + 'x'.repeat(300) } }),
    expect: { name: 'my service v2' + 'x'.repeat(200 - 'my service v2'.length) },
  },
  {
    name: 'AWS SDK span → aws namespace and aws block',
    span: child(Kind.CLIENT, { attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'GetItem', 'aws.region': 'eu-west-1', 'aws.dynamodb.table_names': ['orders'] } }),
    expect: { name: 'DynamoDB', namespace: 'aws', aws: { operation: 'GetItem', region: 'eu-west-1', table_name: 'orders' } },
    absent: ['metadata.default|aws.region'],
  },
  {
    name: 'root INTERNAL span (no parent) → segment',
    span: span({ kind: Kind.INTERNAL, name: 'startup' }),
    expect: { name: 'startup' },
    absent: ['type', 'parent_id'],
  },
];

for (const c of cases) {
  test(`translate: ${c.name}`, () => {
    const doc = spanToDocument(c.span, c.options);
    assertValidDocument(JSON.parse(JSON.stringify(doc)));
    assertSubset(doc, c.expect, '');
    for (const path of c.absent ?? []) assert.equal(lookup(doc, path), undefined, `${path} should be absent`);
  });
}

test('translate: exception ids default to random 16-hex ids, different per exception', () => {
  const events = [1, 2].map((n) => ({ name: 'exception', time: END, attributes: { 'exception.message': `e${n}` } }));
  const doc = spanToDocument(child(Kind.INTERNAL, { status: { code: 2 }, events }));
  const ids = (doc.cause as { exceptions: Array<{ id: string }> }).exceptions.map((e) => e.id);
  assert.equal(ids.length, 2);
  assert.notEqual(ids[0], ids[1]);
  for (const id of ids) assert.match(id, /^[0-9a-f]{16}$/);
});

test('translate: the input span is not modified and documents share no mutable state', () => {
  const s = span({ kind: Kind.SERVER, attributes: { a: 1 } });
  const before = JSON.stringify(s);
  const first = spanToDocument(s);
  first.metadata!.default.a = 2;
  assert.equal(JSON.stringify(s), before);
  assert.equal(spanToDocument(s).metadata!.default.a, 1);
});

/** Deep subset check with a readable path in the message. */
function assertSubset(actual: unknown, expected: unknown, path: string): void {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual !== null && typeof actual === 'object', `${path || 'document'}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, v] of Object.entries(expected)) assertSubset((actual as Record<string, unknown>)[k], v, path ? `${path}.${k}` : k);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    expected.forEach((v, i) => assertSubset(actual[i], v, `${path}[${i}]`));
  } else {
    assert.deepEqual(actual, expected, `${path}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`);
  }
}

/** Looks up `a.b|c.d` where `|` separates a key that itself contains dots. */
function lookup(doc: unknown, path: string): unknown {
  const [head, tailKey] = path.split('|');
  let node: unknown = doc;
  for (const key of head.split('.')) node = node === undefined || node === null ? undefined : (node as Record<string, unknown>)[key];
  if (tailKey === undefined) return node;
  return node === undefined || node === null ? undefined : (node as Record<string, unknown>)[tailKey];
}
