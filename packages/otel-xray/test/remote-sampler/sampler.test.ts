/**
 * The X-Ray remote sampler end to end on loopback: the console's own sampling service
 * mounted on its two routes by a tiny node:http server, and the sampler polling it.
 * Decisions use an injected clock and a seeded random source, never wall-clock timing.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { SpanKind, type Attributes, ROOT_CONTEXT } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision, TracerProvider } from '@opentelemetry/sdk-trace';
import { parseSamplingRules } from '@tfa/trace-console/sampling/rules';
import { createSamplingService, type SamplingService } from '@tfa/trace-console/sampling/service';
import { createXRayRemoteSampler, type SamplerLogger, type XRayRemoteSamplerOptions } from '../../src/remote-sampler/sampler.ts';
import type { SamplingStatisticsDocument } from '../../src/wire/sampling/wire.ts';
import { serveSampling } from '../../../trace-console/test/sampling/serve.ts';

const T0 = 1_790_000_000_000;
const TRACE_ID = '5f0000000000000000000000000000aa';

/** The issue's rules: `/sampled*` of svc always, everything else never. */
const issueRules = () =>
  parseSamplingRules([
    { RuleName: 'sampled', Priority: 1, ServiceName: 'svc', URLPath: '/sampled*', FixedRate: 1, ReservoirSize: 0 },
    { RuleName: 'Default', FixedRate: 0, ReservoirSize: 0 },
  ]);

/** A deterministic uniform [0, 1) source (mulberry32). */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const clock = () => {
  const c = { ms: T0, now: () => c.ms };
  return c;
};

function sampler(t: TestContext, port: number, extra: Partial<XRayRemoteSamplerOptions> = {}) {
  const s = createXRayRemoteSampler({ endpoint: { host: '127.0.0.1', port }, serviceName: 'svc', ...extra });
  t.after(() => s.shutdown());
  return s;
}

const request = (path: string): Attributes => ({ 'http.request.method': 'GET', 'url.full': `http://127.0.0.1:8081${path}?q=1`, 'server.address': '127.0.0.1' });
const decide = (s: ReturnType<typeof createXRayRemoteSampler>, path: string) =>
  s.shouldSample(ROOT_CONTEXT, TRACE_ID, 'GET', SpanKind.SERVER, request(path), []).decision === SamplingDecision.RECORD_AND_SAMPLED;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
}

test('sampler: after the first poll, spans for /sampled/x are sampled and /other are not', async (t) => {
  const c = clock();
  const server = await serveSampling(t, createSamplingService(issueRules(), { now: c.now }));
  const s = sampler(t, server.port, { now: c.now });
  await s.ready;
  assert.deepEqual(server.received[0], { path: '/GetSamplingRules', body: {} });

  // Through a real TracerProvider, wrapped in ParentBased as setup.ts does.
  const provider = new TracerProvider({ sampler: new ParentBasedSampler({ root: s }) });
  t.after(() => provider.shutdown());
  const tracer = provider.getTracer('test');
  for (let i = 0; i < 20; i++) {
    c.ms += 137;
    const sampled = tracer.startSpan('GET /sampled/:id', { kind: SpanKind.SERVER, attributes: request(`/sampled/${i}`) });
    const other = tracer.startSpan('GET /other', { kind: SpanKind.SERVER, attributes: request('/other') });
    assert.equal(sampled.spanContext().traceFlags & 1, 1);
    assert.equal(other.spanContext().traceFlags & 1, 0);
    assert.equal(other.isRecording(), false);
    sampled.end();
    other.end();
  }
  // Rules match the service name too: another service's /sampled falls to Default.
  const elsewhere = sampler(t, server.port, { now: c.now, serviceName: 'archiver' });
  await elsewhere.ready;
  assert.equal(decide(elsewhere, '/sampled/x'), false);
});

test('sampler: reports per-rule statistics to /SamplingTargets with the right counts', async (t) => {
  const c = clock();
  const server = await serveSampling(t, createSamplingService(issueRules(), { now: c.now }));
  const s = sampler(t, server.port, { now: c.now });
  await s.ready;
  for (let i = 0; i < 7; i++) decide(s, '/sampled/a');
  for (let i = 0; i < 5; i++) decide(s, '/other');
  c.ms += 10_000;
  await s.reportStatistics();
  const reports = server.received.filter((r) => r.path === '/SamplingTargets');
  assert.equal(reports.length, 1);
  const docs = (reports[0].body as { SamplingStatisticsDocuments: SamplingStatisticsDocument[] }).SamplingStatisticsDocuments;
  assert.match(s.clientId, /^[0-9a-f]{24}$/);
  assert.deepEqual(docs, [
    { RuleName: 'sampled', ClientID: s.clientId, Timestamp: T0 / 1000 + 10, RequestCount: 7, SampledCount: 7, BorrowCount: 0 },
    { RuleName: 'Default', ClientID: s.clientId, Timestamp: T0 / 1000 + 10, RequestCount: 5, SampledCount: 0, BorrowCount: 0 },
  ]);
  // Counts restart after each report; rules without requests are not reported.
  decide(s, '/other');
  await s.reportStatistics();
  const last = server.received.at(-1)!.body as { SamplingStatisticsDocuments: SamplingStatisticsDocument[] };
  assert.deepEqual(last.SamplingStatisticsDocuments.map((d) => [d.RuleName, d.RequestCount]), [['Default', 1]]);
});

test('sampler: borrows 1/s before its first quota, then takes the quota the console hands out', async (t) => {
  const c = clock();
  const rules = parseSamplingRules([{ RuleName: 'api', Priority: 1, FixedRate: 0, ReservoirSize: 3 }]);
  const server = await serveSampling(t, createSamplingService(rules, { now: c.now }));
  const s = sampler(t, server.port, { now: c.now });
  await s.ready;
  const perSecond = () => {
    let n = 0;
    for (let i = 0; i < 10; i++) n += decide(s, '/x') ? 1 : 0;
    c.ms += 1000;
    return n;
  };
  assert.deepEqual([perSecond(), perSecond()], [1, 1], 'borrowing: one per second');
  await s.reportStatistics();
  const report = server.received.at(-1)!.body as { SamplingStatisticsDocuments: SamplingStatisticsDocument[] };
  assert.deepEqual(report.SamplingStatisticsDocuments.map((d) => [d.RequestCount, d.SampledCount, d.BorrowCount]), [[20, 2, 2]]);
  // One client: the whole reservoir of 3/s, for 10 s.
  assert.deepEqual([perSecond(), perSecond(), perSecond()], [3, 3, 3]);
  c.ms += 8000;
  assert.equal(perSecond(), 1, 'quota expired: borrowing again');
});

test('sampler: with nothing listening it falls back to 1 request/s + 5 %, and warns once', async (t) => {
  const c = clock();
  const warnings: unknown[] = [];
  const logger: SamplerLogger = { warn: (o) => warnings.push(o), info() {}, debug() {} };
  const s = sampler(t, await freePort(), { now: c.now, random: seeded(42), logger });
  await s.ready;
  await s.refreshRules();
  let sampled = 0;
  for (let second = 0; second < 100; second++) {
    let thisSecond = 0;
    for (let i = 0; i < 100; i++) {
      c.ms += 10;
      if (decide(s, i % 2 ? '/sampled/x' : '/other')) thisSecond++;
    }
    assert.ok(thisSecond >= 1, 'the first request of every second');
    sampled += thisSecond;
  }
  // 100 reserved + 5 % of the other 9900 (495, sd ≈ 22): well inside ±6 sd.
  assert.ok(sampled > 100 + 495 - 130 && sampled < 100 + 495 + 130, `sampled ${sampled} of 10000`);
  assert.equal(warnings.length, 1, 'one warning per outage');
  assert.match((warnings[0] as { err: string }).err, /ECONNREFUSED|connect/i);
});

test('sampler: rules older than an hour are not trusted; the local default applies', async (t) => {
  const c = clock();
  const server = await serveSampling(t, createSamplingService(issueRules(), { now: c.now }));
  const s = sampler(t, server.port, { now: c.now, random: () => 0.5 });
  await s.ready;
  assert.equal(decide(s, '/other'), false);
  c.ms += 3_600_001;
  assert.deepEqual([decide(s, '/other'), decide(s, '/other')], [true, false], 'fallback: first of the second, then 5 %');
  await s.refreshRules();
  c.ms += 1000;
  assert.equal(decide(s, '/other'), false, 'fresh rules again');
});

test('sampler: a newer LastRuleModification makes it fetch the rules at once', async (t) => {
  const c = clock();
  let service: SamplingService = createSamplingService(issueRules(), { now: c.now });
  const server = await serveSampling(t, () => service);
  const s = sampler(t, server.port, { now: c.now });
  await s.ready;
  assert.equal(decide(s, '/other'), false);
  c.ms += 60_000;
  service = createSamplingService(parseSamplingRules([{ RuleName: 'Default', FixedRate: 1, ReservoirSize: 0 }]), { now: c.now });
  c.ms += 10_000;
  await s.reportStatistics();
  await until(() => server.received.filter((r) => r.path === '/GetSamplingRules').length === 2, 'an out-of-band GetSamplingRules');
  await s.refreshRules(); // joins the fetch in flight, if it still is
  assert.equal(decide(s, '/other'), true);
});

test('sampler: rules aws-xray-sdk-node would skip are skipped, and a bad answer keeps the last rules', async (t) => {
  const c = clock();
  const good = createSamplingService(issueRules(), { now: c.now });
  let broken = false;
  const stub: SamplingService = {
    ...good,
    getSamplingRules: (body) => {
      if (broken) return { nope: true } as never;
      const result = good.getSamplingRules(body);
      const [sampled] = result.SamplingRuleRecords;
      // Same rule again at a higher priority, but with Attributes / another version: both unusable.
      result.SamplingRuleRecords.push({ ...sampled, SamplingRule: { ...sampled.SamplingRule, RuleName: 'attrs', Priority: 0.5, FixedRate: 0, URLPath: '*', Attributes: { a: 'b' } } });
      result.SamplingRuleRecords.push({ ...sampled, SamplingRule: { ...sampled.SamplingRule, RuleName: 'v2', Priority: 0.5, FixedRate: 0, URLPath: '*', Version: 2 } });
      return result;
    },
  };
  const server = await serveSampling(t, stub);
  const s = sampler(t, server.port, { now: c.now });
  await s.ready;
  assert.equal(decide(s, '/sampled/x'), true);
  broken = true;
  await s.refreshRules();
  assert.equal(decide(s, '/sampled/x'), true, 'the last good rules stay');
  assert.match(s.toString(), /rules=2/);
});

test('sampler: polls on its own timers, and stops on shutdown', async (t) => {
  const server = await serveSampling(t, createSamplingService(issueRules()));
  const s = createXRayRemoteSampler({ endpoint: { host: '127.0.0.1', port: server.port }, serviceName: 'svc', pollingIntervalMs: 30, targetIntervalMs: 20 });
  t.after(() => s.shutdown());
  await s.ready;
  const tick = setInterval(() => decide(s, '/sampled/x'), 5);
  t.after(() => clearInterval(tick));
  const count = (path: string) => server.received.filter((r) => r.path === path).length;
  await until(() => count('/GetSamplingRules') >= 3 && count('/SamplingTargets') >= 3, 'three polls of each kind');
  s.shutdown();
  clearInterval(tick);
  await new Promise((r) => setTimeout(r, 50)); // a call already in flight may still land
  const seen = server.received.length;
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(server.received.length, seen, 'no calls after shutdown');
});
