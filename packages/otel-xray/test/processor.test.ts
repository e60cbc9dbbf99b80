/**
 * End to end on loopback: a real TracerProvider with XRayDaemonSpanProcessor sending to a
 * dgram listener on 127.0.0.1. Also: a daemon that is down or unresolvable costs the
 * traced code nothing and throws nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SamplingDecision, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { XRayDaemonSpanProcessor } from '../src/processor.ts';
import type { DropSummary, XRayDaemonProcessorOptions } from '../src/processor.ts';
import { XRayIdGenerator } from '../src/ids.ts';
import { UdpTransport } from '../src/udp-transport.ts';
import { assertValidDocument } from './validate.ts';
import { freeUdpPort } from '@tfa/test-helpers/ports';

const HEADER = '{"format":"json","version":1}';

/** A loopback "daemon" that parses datagrams as the real one does (split at the first newline). */
async function daemon(t: { after: (fn: () => unknown) => void }) {
  const socket = createSocket('udp4');
  const docs: Array<Record<string, any>> = [];
  const headers: string[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  socket.on('message', (msg) => {
    const text = msg.toString('utf8');
    const nl = text.indexOf('\n');
    headers.push(text.slice(0, nl));
    docs.push(JSON.parse(text.slice(nl + 1)));
    if (waiter !== undefined && docs.length >= waiter.n) waiter.resolve();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.after(() => socket.close());
  const received = (n: number): Promise<void> =>
    docs.length >= n ? Promise.resolve() : new Promise((resolve) => { waiter = { n, resolve }; });
  return { port: socket.address().port, docs, headers, received };
}

function provider(t: { after: (fn: () => unknown) => void }, processor: SpanProcessor, sampler?: Sampler) {
  const tp = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fetcher', 'service.version': '0.1.0', 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'nodejs' }),
    idGenerator: new XRayIdGenerator(),
    spanProcessors: [processor],
    sampler,
  });
  t.after(() => tp.shutdown());
  return tp.getTracer('test');
}

function processor(t: { after: (fn: () => unknown) => void }, options: XRayDaemonProcessorOptions) {
  const p = new XRayDaemonSpanProcessor(options);
  t.after(() => p.shutdown());
  return p;
}


/** A fetcher's request: the server span with its two outbound calls, all ended. */
function requestTrace(tracer: ReturnType<typeof provider>, extra: Record<string, string> = {}) {
  const server = tracer.startSpan('GET /fetch/*', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': '/fetch/x', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'server.port': 8081, remote_url: 'https://example.com/' } });
  const serverCtx = trace.setSpan(ROOT_CONTEXT, server);
  const upstream = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': 'https://example.com/', 'server.address': 'example.com', 'http.response.status_code': 200 } }, serverCtx);
  upstream.end();
  const archive = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:8080/archive', 'peer.service': 'archiver', 'http.response.status_code': 201, ...extra } }, serverCtx);
  archive.end();
  server.setAttribute('http.response.status_code', 200);
  server.end();
}

test('processor: a request trace arrives as header + valid documents forming one trace', async (t) => {
  const d = await daemon(t);
  const p = processor(t, { endpoint: { host: '127.0.0.1', port: d.port }, indexedAttributes: ['remote_url'], nestSubsegments: false });
  const tracer = provider(t, p);
  requestTrace(tracer);
  assert.equal(d.docs.length, 0, 'nothing is sent from inside span.end()');

  await p.forceFlush();
  await d.received(3);
  assert.deepEqual(d.headers, [HEADER, HEADER, HEADER]);
  for (const doc of d.docs) assertValidDocument(doc);
  const traceIds = new Set(d.docs.map((doc) => doc.trace_id));
  assert.equal(traceIds.size, 1);
  const segment = d.docs.find((doc) => doc.type === undefined)!;
  assert.equal(segment.name, 'fetcher');
  assert.deepEqual(segment.annotations, { remote_url: 'https://example.com/' });
  const subs = d.docs.filter((doc) => doc.type === 'subsegment');
  assert.deepEqual(subs.map((s) => s.name).sort(), ['archiver', 'example.com']);
  for (const s of subs) {
    assert.equal(s.parent_id, segment.id);
    assert.equal(s.namespace, 'remote');
  }
  assert.equal(p.counters.sent, 3);
  assert.equal(p.counters.dropped, 0);
});

test('processor: by default a request whose spans end together is one datagram, its subsegments nested as the X-Ray SDKs send them', async (t) => {
  const d = await daemon(t);
  const p = processor(t, { endpoint: { host: '127.0.0.1', port: d.port }, indexedAttributes: ['remote_url'] });
  const tracer = provider(t, p);
  requestTrace(tracer);
  await p.forceFlush();
  await d.received(1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(d.docs.length, 1);
  assert.deepEqual(d.headers, [HEADER]);
  const segment = d.docs[0]!;
  assertValidDocument(segment);
  assert.equal(segment.name, 'fetcher');
  assert.equal(segment.type, undefined);
  assert.deepEqual(segment.annotations, { remote_url: 'https://example.com/' });
  assert.deepEqual(segment.subsegments.map((s: { name: string }) => s.name).sort(), ['archiver', 'example.com']);
  for (const s of segment.subsegments) {
    assert.equal(s.namespace, 'remote');
    assert.equal(s.type, undefined, 'no type inside the parent');
    assert.equal(s.trace_id, undefined, 'no trace_id inside the parent');
    assert.equal(s.parent_id, undefined, 'no parent_id inside the parent');
  }
  assert.equal(p.counters.sent, 1);
  assert.equal(p.counters.dropped, 0);
});

test('processor: a nested request too big for one datagram goes as independent documents, none lost', async (t) => {
  const d = await daemon(t);
  const p = processor(t, { endpoint: { host: '127.0.0.1', port: d.port }, budgetBytes: 1024 });
  const tracer = provider(t, p);
  // Each document fits on its own, the three together do not.
  requestTrace(tracer, { 'aws.xray.metadata.note': JSON.stringify('n'.repeat(500)) });
  await p.forceFlush();
  await d.received(3);
  for (const doc of d.docs) assertValidDocument(doc, { maxBytes: 1024 });
  const segment = d.docs.find((doc) => doc.type === undefined)!;
  assert.equal(segment.subsegments, undefined);
  const subs = d.docs.filter((doc) => doc.type === 'subsegment');
  assert.deepEqual(subs.map((s) => s.name).sort(), ['archiver', 'example.com']);
  for (const s of subs) assert.equal(s.parent_id, segment.id);
  assert.equal(p.counters.trimmed, 0, 'nothing was trimmed: splitting was enough');
  assert.equal(p.counters.sent, 3);
});

test('processor: a child whose parent ends in a later slice goes as an independent subsegment', async (t) => {
  const d = await daemon(t);
  const p = processor(t, { endpoint: { host: '127.0.0.1', port: d.port }, lingerMs: 0 });
  const tracer = provider(t, p);
  const server = tracer.startSpan('GET /', { kind: SpanKind.SERVER });
  tracer.startSpan('child', { kind: SpanKind.INTERNAL }, trace.setSpan(ROOT_CONTEXT, server)).end();
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  server.end();
  await p.forceFlush();
  await d.received(2);
  const child = d.docs.find((doc) => doc.name === 'child')!;
  assert.equal(child.type, 'subsegment');
  assert.equal(child.parent_id, d.docs.find((doc) => doc.type === undefined)!.id);
  for (const doc of d.docs) assertValidDocument(doc);
});

test('processor: unsampled (record-only) spans are not exported', async (t) => {
  const d = await daemon(t);
  const p = processor(t, { endpoint: { host: '127.0.0.1', port: d.port } });
  const recordOnly: Sampler = { shouldSample: () => ({ decision: SamplingDecision.RECORD }), toString: () => 'RecordOnly' };
  const tracer = provider(t, p, recordOnly);
  tracer.startSpan('not sampled').end();
  await p.forceFlush();
  assert.equal(p.counters.sent, 0);
});

test('processor: translation happens in slices between event-loop turns', async (t) => {
  const d = await daemon(t);
  const sends = t.mock.method(UdpTransport.prototype, 'send');
  const p = processor(t, { endpoint: { host: '127.0.0.1', port: d.port }, sliceSize: 2 });
  const tracer = provider(t, p);
  for (let i = 0; i < 10; i++) tracer.startSpan(`s${i}`).end();
  assert.equal(sends.mock.callCount(), 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(sends.mock.callCount(), 2, 'one turn sends one slice');
  await p.forceFlush();
  assert.equal(sends.mock.callCount(), 10);
  await d.received(10);
});

test('processor: a full queue drops and reports through onDrop', async (t) => {
  const d = await daemon(t);
  const summaries: DropSummary[] = [];
  let reported!: () => void;
  const reportedOnce = new Promise<void>((resolve) => { reported = resolve; });
  const p = processor(t, { endpoint: { host: '127.0.0.1', port: d.port }, maxQueueSize: 4, onDrop: (s) => { summaries.push(s); reported(); } });
  const tracer = provider(t, p);
  for (let i = 0; i < 10; i++) tracer.startSpan(`s${i}`).end();
  await reportedOnce;
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].queueFull, 6);
  assert.equal(p.counters.dropped, 6);
  await p.forceFlush();
  await d.received(4);
});

const downCases = [
  {
    name: 'nothing listening (closed port)',
    endpoint: async () => ({ host: '127.0.0.1', port: await freeUdpPort() }),
    // The kernel takes the datagrams; ICMP port unreachable comes back as ECONNREFUSED.
    check: (c: { sent: number; sendErrors: number }, s: DropSummary) => {
      assert.ok(c.sendErrors >= 1 && s.refused >= 1, JSON.stringify({ c, s }));
    },
  },
  {
    name: 'unresolvable name (nonexistent.invalid; resolver injected so no query leaves the machine)',
    endpoint: async () => ({ host: 'nonexistent.invalid', port: 2000 }),
    // One lookup fails; every datagram until the 30 s re-resolve is dropped without another lookup.
    check: (c: { sent: number; dropped: number; sendErrors: number }, s: DropSummary) => {
      assert.equal(c.sent, 0);
      assert.equal(c.dropped, 100);
      assert.equal(c.sendErrors, 1);
      assert.equal(s.dnsErrors, 1);
      assert.match(s.lastError ?? '', /ENOTFOUND nonexistent\.invalid/);
    },
  },
];

for (const { name, endpoint, check } of downCases) {
  test(`processor: daemon ${name} costs nothing and throws nothing`, async (t) => {
    const summaries: DropSummary[] = [];
    const p = processor(t, {
      endpoint: await endpoint(),
      resolver: async (host) => { throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }); },
      onDrop: (s) => summaries.push(s),
    });
    const tracer = provider(t, p);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 20; i++) {
        const span = tracer.startSpan('work', { kind: SpanKind.SERVER });
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'x' });
        assert.doesNotThrow(() => span.end());
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await p.shutdown();
    assert.ok(summaries.length >= 1, 'losses are reported (at the latest on shutdown)');
    const total = summaries.reduce((a, s) => ({ ...s, refused: a.refused + s.refused, dnsErrors: a.dnsErrors + s.dnsErrors }));
    check(p.counters, total);
  });
}
