/**
 * The console's sampling routes (`GET /api/sampling`, `POST /api/sampling/explain`) and the
 * `group=` parameter of `/api/traces` and `/api/service-graph`, on the app built in process;
 * rules and groups change through the X-Ray API operations, counters come from
 * GetSamplingTargets reports, as an SDK sends them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from './build.ts';
import { fetchTrace, segment, traceId } from '../fixtures.ts';

const CLIENT = '0123456789abcdef01234567';

test('explain: the matching rule, the rules before it and why, the reservoir and quota now', async (t) => {
  const { app } = await build(t);
  const create = (rule: Record<string, unknown>) => app.inject({ method: 'POST', url: '/CreateSamplingRule', payload: { SamplingRule: { ResourceARN: '*', ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, ...rule } } });
  assert.equal((await create({ RuleName: 'api', Priority: 10, FixedRate: 0.5, ReservoirSize: 4, URLPath: '/api/*' })).statusCode, 200);
  assert.equal((await create({ RuleName: 'b-posts', Priority: 20, FixedRate: 0.2, ReservoirSize: 2, HTTPMethod: 'POST', ServiceName: 'archiver' })).statusCode, 200);
  assert.equal((await create({ RuleName: 'a-posts', Priority: 20, FixedRate: 0.1, ReservoirSize: 1, HTTPMethod: 'POST' })).statusCode, 200);

  // Two clients report for a-posts: its reservoir of 1 goes to one of them at a time.
  const now = Date.now() / 1000;
  for (const id of [CLIENT, 'fedcba9876543210fedcba98']) {
    const r = await app.inject({ method: 'POST', url: '/SamplingTargets', payload: { SamplingStatisticsDocuments: [{ RuleName: 'a-posts', ClientID: id, Timestamp: now, RequestCount: 5, SampledCount: 1, BorrowCount: 0 }] } });
    assert.equal(r.statusCode, 200, r.body);
  }

  const res = await app.inject({ method: 'POST', url: '/api/sampling/explain', payload: { service_name: 'fetcher', http_method: 'POST', url_path: '/health' } });
  assert.equal(res.statusCode, 200, res.body);
  const e = res.json();
  assert.equal(e.rule, 'a-posts', 'priority 20 ties are broken by name');
  assert.equal(e.reservoir, 1);
  assert.equal(e.fixed_rate, 0.1);
  assert.deepEqual(e.tried.map((x: any) => [x.rule, x.matched]), [['api', false], ['a-posts', true]]);
  assert.deepEqual(e.tried[0].failed, [{ field: 'URLPath', pattern: '/api/*', value: '/health', why: 'url_path "/health" does not match "/api/*"' }]);
  assert.equal(e.grants.active_clients, 2);
  assert.deepEqual(e.grants.clients.map((c: any) => c.reservoir_quota).sort(), [0, 1], 'the reservoir of 1 split between two clients');

  // Default comes last and matches everything; a request nothing else matches gets it.
  const d = (await app.inject({ method: 'POST', url: '/api/sampling/explain', payload: { service_name: 'archiver', http_method: 'GET', url_path: '/health', attributes: { tier: 'gold' } } })).json();
  assert.equal(d.rule, 'Default');
  assert.deepEqual(d.tried.map((x: any) => x.rule), ['api', 'a-posts', 'b-posts', 'Default']);
  assert.equal(d.tried[2].failed[0].why, 'http_method "GET" does not match "POST"');
  assert.deepEqual(d.grants, { active_clients: 0, clients: [] });
  assert.match(d.reason, /Default \(priority 10000\) matches every request; 3 rules before it did not/);

  // An edited rule is explained at once.
  assert.equal((await app.inject({ method: 'POST', url: '/UpdateSamplingRule', payload: { SamplingRuleUpdate: { RuleName: 'api', URLPath: '/health' } } })).statusCode, 200);
  assert.equal((await app.inject({ method: 'POST', url: '/api/sampling/explain', payload: { url_path: '/health' } })).json().rule, 'api');
});

test('explain refuses a bad body with the error shape', async (t) => {
  const { app } = await build(t);
  for (const payload of [{ url_path: 7 }, { unknown_field: 'x' }, { attributes: { a: 1 } }, { host: 'h'.repeat(300) }]) {
    const res = await app.inject({ method: 'POST', url: '/api/sampling/explain', payload });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    const body = res.json();
    assert.equal(body.code, 'validation_failed');
    assert.equal(body.status, 400);
    assert.equal(typeof body.detail, 'string');
    assert.equal(typeof body.id, 'string');
  }
  const notJson = await app.inject({ method: 'POST', url: '/api/sampling/explain', headers: { 'content-type': 'application/json' }, payload: '{' });
  assert.equal(notJson.statusCode, 400);
  assert.equal(notJson.json().code, 'invalid_json');
});

test('GET /api/sampling lists the rules in matching order with the SDKs\' counters', async (t) => {
  const { app } = await build(t);
  const rule = { RuleName: 'api', ResourceARN: '*', Priority: 5, FixedRate: 0.5, ReservoirSize: 2, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '/api/*', Version: 1 };
  assert.equal((await app.inject({ method: 'POST', url: '/CreateSamplingRule', payload: { SamplingRule: rule } })).statusCode, 200);
  const before = (await app.inject({ url: '/api/sampling' })).json();
  assert.deepEqual(before.rules.map((r: any) => r.SamplingRule.RuleName), ['api', 'Default']);
  assert.equal(before.rules[0].window, null);
  assert.deepEqual(before.rules[0].totals, { requests: 0, sampled: 0, borrowed: 0 });

  const now = Date.now() / 1000;
  for (const counts of [{ RequestCount: 10, SampledCount: 4, BorrowCount: 1 }, { RequestCount: 6, SampledCount: 2, BorrowCount: 0 }]) {
    await app.inject({ method: 'POST', url: '/SamplingTargets', payload: { SamplingStatisticsDocuments: [{ RuleName: 'api', ClientID: CLIENT, Timestamp: now, ...counts }] } });
  }
  const after = (await app.inject({ url: '/api/sampling' })).json();
  const api = after.rules[0];
  assert.deepEqual(api.totals, { requests: 16, sampled: 6, borrowed: 1 });
  assert.equal(api.active_clients, 1);
  // The window agrees with GetSamplingStatisticSummaries (unless the minute turned between the two reports).
  const summaries = (await app.inject({ method: 'POST', url: '/SamplingStatisticSummaries', payload: {} })).json().SamplingStatisticSummaries;
  const s = summaries.find((x: any) => x.RuleName === 'api');
  assert.deepEqual(api.window, { start: s.Timestamp, requests: s.RequestCount, sampled: s.SampledCount, borrowed: s.BorrowCount });
  assert.ok(api.window.requests === 16 || api.window.requests === 6);
  assert.equal(after.rules[1].window, null, 'nothing reported for Default');
  assert.equal(api.SamplingRule.RuleARN, 'arn:aws:xray:local:000000000000:sampling-rule/api');
});

test('group= narrows /api/traces and /api/service-graph by the group\'s expression', async (t) => {
  const { app, store, ingest } = await build(t);
  const ok = fetchTrace();
  const failed = fetchTrace({ status: 502, upstreamStatus: 503 });
  const other = traceId();
  for (const doc of [ok.fetcher, ok.archiver, failed.fetcher, segment(other, { name: 'other', http: { request: { method: 'GET', url: 'http://x/' }, response: { status: 200 } } })]) ingest.document(JSON.stringify(doc), 'test');
  store.flush();
  const group = (GroupName: string, FilterExpression?: string) => app.inject({ method: 'POST', url: '/CreateGroup', payload: { GroupName, ...(FilterExpression ? { FilterExpression } : {}) } });
  assert.equal((await group('faults', 'fault')).statusCode, 200);
  assert.equal((await group('fetcher', 'service("fetcher")')).statusCode, 200);
  assert.equal((await group('everything')).statusCode, 200);

  const ids = async (q: string) => {
    const res = await app.inject({ url: `/api/traces?${q}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().traces.map((x: any) => x.id).sort();
  };
  assert.deepEqual(await ids('group=faults'), [failed.trace]);
  assert.deepEqual(await ids('group=fetcher'), [ok.trace, failed.trace].sort());
  assert.deepEqual(await ids('group=fetcher&filter=' + encodeURIComponent('http.status = 200')), [ok.trace], 'ANDed with the filter');
  assert.deepEqual(await ids('group=everything'), [ok.trace, failed.trace, other].sort());
  assert.deepEqual(await ids('group=Default'), [ok.trace, failed.trace, other].sort());

  const graph = async (q: string) => (await app.inject({ url: `/api/service-graph?${q}` })).json().services;
  const edge = (services: any[], from: string, to: string) => services.find((s) => s.name === from)?.edges.find((e: any) => e.to === to);
  assert.equal(edge(await graph(''), 'fetcher', 'example.test').count, 2);
  const faults = await graph('group=faults');
  assert.equal(edge(faults, 'fetcher', 'example.test').count, 1);
  assert.equal(faults.some((s: any) => s.name === 'other'), false);
  assert.equal((await graph('group=Default')).some((s: any) => s.name === 'other'), true);

  for (const url of ['/api/traces?group=nope', '/api/service-graph?group=nope']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'not_found');
    assert.match(res.json().detail, /no group "nope"/);
  }
  // A bad filter still points into the filter itself.
  const bad = await app.inject({ url: '/api/traces?group=faults&filter=' + encodeURIComponent('http.status >=') });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, 'invalid_filter');
});
