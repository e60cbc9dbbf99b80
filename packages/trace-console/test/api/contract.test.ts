/**
 * The console API's contract (src/console/api/contract.ts): /openapi.json lists every /api
 * route with its response schema, and no answer loses a field to serialisation (Fastify's
 * fast-json-stringify drops what a response schema does not list): each route's answer as
 * the handler built it is compared with what went over the wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { build } from './build.ts';
import { datagram, fetchTrace, segment, spanId, traceId } from '../fixtures.ts';
import { routeSchemas, TraceSummarySchema } from '../../src/api/contract.ts';

/** Paths (JSON-pointer-ish) present in `sent` but missing or different in `received`. */
function lost(sent: unknown, received: unknown, path = ''): string[] {
  if (sent === undefined) return [];
  if (Array.isArray(sent)) {
    if (!Array.isArray(received)) return [path || '/'];
    return sent.flatMap((v, i) => lost(v, received[i], `${path}/${i}`));
  }
  if (sent !== null && typeof sent === 'object') {
    if (received === null || typeof received !== 'object') return [path || '/'];
    return Object.entries(sent).flatMap(([k, v]) => lost(v, (received as Record<string, unknown>)[k], `${path}/${k}`));
  }
  return Object.is(sent, received) ? [] : [path || '/'];
}

const apiRoutes = ['/api/traces', '/api/traces/{id}', '/api/traces/{id}/diagnosis', '/api/diff', '/api/service-graph', '/api/diagnostics', '/api/events', '/api/sampling', '/api/sampling/explain'];

test('/openapi.json lists every /api route with its response schemas', async (t) => {
  const { app } = await build(t);
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as { paths: Record<string, Record<string, { parameters?: unknown[]; responses: Record<string, { content?: Record<string, { schema?: { type?: string; properties?: object } }> }> }>> };
  const listed = Object.keys(doc.paths).filter((p) => p.startsWith('/api/'));
  assert.deepEqual(listed.sort(), [...apiRoutes].sort(), 'every /api route is documented, and only those');
  for (const path of apiRoutes) {
    const op = (doc.paths[path]!.get ?? doc.paths[path]!.post)!;
    const ok = op.responses['200']?.content;
    const media = path === '/api/events' ? 'text/event-stream' : 'application/json';
    assert.ok(ok?.[media]?.schema?.properties, `${path}: 200 ${media} schema with properties`);
    const errors = Object.keys(op.responses).filter((s) => Number(s) >= 400);
    assert.ok(errors.length > 0, `${path}: documents its error answers`);
    for (const s of errors) assert.deepEqual(Object.keys(op.responses[s]!.content!['application/json']!.schema!.properties!).slice(0, 4), ['id', 'code', 'status', 'detail'], `${path} ${s}: the project's error shape`);
  }
  // Inputs are documented too: the list's query, the trace id, the diff's pair.
  const names = (path: string) => (doc.paths[path]!.get!.parameters as { name: string }[]).map((p) => p.name).sort();
  assert.deepEqual(names('/api/traces'), ['filter', 'group', 'limit', 'since', 'until']);
  assert.deepEqual(names('/api/traces/{id}'), ['id']);
  assert.deepEqual(names('/api/diff'), ['a', 'b']);
  assert.deepEqual(doc.paths['/api/traces']!.get!.responses['400']!.content!['application/json']!.schema!.properties && Object.keys(doc.paths['/api/traces']!.get!.responses['400']!.content!['application/json']!.schema!.properties!), ['id', 'code', 'status', 'detail', 'position', 'expected']);
});

test('every /api answer reaches the client whole: no field is dropped by the response schemas', async (t) => {
  const { app, store, ingest, diagnostics } = await build(t);
  const built = new Map<string, unknown>();
  app.addHook('preSerialization', async (req, _reply, payload) => {
    built.set(req.url, structuredClone(payload));
    return payload;
  });
  // Traces with every optional field: http, annotations of several types, errors, a remote call,
  // a downstream segment, an in-progress one with a missing parent (diagnosis findings).
  const a = fetchTrace({ upstreamStatus: 503, status: 502 });
  const b = fetchTrace();
  for (const f of [a, b]) for (const doc of [f.fetcher, f.archiver]) ingest.document(JSON.stringify(doc), 'http 127.0.0.1');
  const odd = traceId();
  ingest.document(JSON.stringify(segment(odd, { parent_id: spanId(), annotations: { n: 1, flag: true, s: 'x' }, metadata: { any: { deep: [1] } } })), 'http 127.0.0.1');
  ingest.document(JSON.stringify(segment(odd, { name: 'later', in_progress: true, end_time: undefined })), 'http 127.0.0.1');
  ingest.datagram(datagram('{not json'), 'udp 127.0.0.1:5000');
  ingest.datagram(datagram(segment(traceId())), 'udp 127.0.0.1:5000');
  store.flush();
  assert.ok(diagnostics.report().some((s) => Object.keys(s.problems).length > 0), 'a sender with a problem');

  const badFilter = `/api/traces?filter=${encodeURIComponent('service(')}`;
  const urls = [
    '/api/traces',
    `/api/traces?filter=${encodeURIComponent('service("fetcher")')}&limit=5`,
    `/api/traces/${a.trace}`,
    `/api/traces/${odd}`,
    `/api/traces/${a.trace}/diagnosis`,
    `/api/traces/${odd}/diagnosis`,
    `/api/traces/${traceId()}/diagnosis`,
    `/api/diff?a=${a.trace}&b=${b.trace}`,
    `/api/diff?a=${a.trace}&b=typical`,
    '/api/service-graph',
    '/api/diagnostics',
    // Errors: the project's shape, with position/expected for a bad filter.
    badFilter,
    `/api/traces/${traceId()}`,
    '/api/traces?limit=0',
  ];
  for (const url of urls) {
    const res = await app.inject({ method: 'GET', url });
    assert.ok(built.has(url), `${url}: the handler's answer was seen`);
    const sent = built.get(url);
    assert.deepEqual(lost(sent, res.json()), [], `${url} (${res.statusCode}): fields lost in serialisation`);
    // The fixtures exercise what they should: real rows, real findings, real errors.
    if (url === '/api/traces') assert.equal((sent as { traces: unknown[] }).traces.length, 4);
    if (url === badFilter) assert.equal(typeof (sent as { position?: number }).position, 'number', 'a filter error carries position');
  }
  const d = built.get(`/api/traces/${odd}/diagnosis`) as { findings: { kind: string }[] };
  assert.ok(d.findings.some((f) => f.kind === 'missing_parent'), JSON.stringify(d.findings));
  const g = built.get('/api/service-graph') as { services: { edges: unknown[] }[] };
  assert.ok(g.services.some((s) => s.edges.length > 0));
});

test('a field missing from a response schema is caught by the same comparison', async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  const summary = { id: '1-x', duration: 1, response_time: 1, method: null, url: null, status: null, services: [], ok: true, error: false, fault: false, throttle: false, partial: false, annotations: { k: 'v' }, start_time: 1 };
  const extra = { ...summary, new_field: 'not in the schema' };
  app.get('/whole', { schema: { response: { 200: TraceSummarySchema } } }, async () => summary);
  app.get('/extra', { schema: { response: { 200: TraceSummarySchema } } }, async () => extra);
  assert.deepEqual(lost(summary, (await app.inject({ url: '/whole' })).json()), []);
  assert.deepEqual(lost(extra, (await app.inject({ url: '/extra' })).json()), ['/new_field']);
  // The route table itself: each schema names its answers.
  for (const [name, schema] of Object.entries(routeSchemas)) assert.ok(schema.response[200], `${name}: a 200 schema`);
});
