/** The sampler's pure parts: wildcard patterns, the reservoir, rule matching and what a span offers to match. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileWildcard } from '../../src/wire/sampling/wildcard.ts';
import { Reservoir } from '../../src/wire/sampling/reservoir.ts';
import { CentralRule } from '../../src/wire/sampling/rule.ts';
import { sampleRequest } from '../../src/remote-sampler/sampler.ts';
import { createFallbackSampler } from '../../src/wire/sampling/fallback.ts';
import type { SamplingRule } from '../../src/wire/sampling/wire.ts';

const wildcards: [string, string | undefined, boolean][] = [
  ['*', undefined, true],
  ['*', '', true],
  ['/sampled*', '/sampled/x', true],
  ['/sampled*', '/SAMPLED', true],
  ['/sampled*', '/other', false],
  ['GET', 'get', true],
  ['G?T', 'GET', true],
  ['G?T', 'GEET', false],
  ['/a.b', '/aXb', false],
  ['/a+(b)', '/a+(b)', true],
  ['*.example.com', 'api.example.com', true],
  ['*.example.com', 'example.com', false],
  ['/x', undefined, false],
];
for (const [pattern, text, expected] of wildcards) {
  test(`wildcard: ${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(text)}`, () => {
    assert.equal(compileWildcard(pattern)(text), expected);
  });
}

test('reservoir: borrows 1/s without a quota, takes up to the quota per second until its TTL', () => {
  const r = new Reservoir(true);
  const at = 1_790_000_000_000;
  assert.deepEqual([r.decide(at), r.decide(at + 10), r.decide(at + 1000)], ['borrow', undefined, 'borrow']);
  r.setQuota(2, at / 1000 + 10);
  assert.deepEqual([r.decide(at + 2000), r.decide(at + 2001), r.decide(at + 2002), r.decide(at + 3000)], ['take', 'take', undefined, 'take']);
  // Past the TTL: back to borrowing until a new quota arrives.
  assert.deepEqual([r.decide(at + 10_001), r.decide(at + 10_002)], ['borrow', undefined]);
  r.setQuota(0, at / 1000 + 30);
  assert.equal(r.decide(at + 12_000), undefined, 'a quota of 0 is honoured (no borrowing)');
  assert.equal(new Reservoir(false).decide(at), undefined, 'ReservoirSize 0: nothing to borrow');
});

test('fallback: the first request of each second, then 5 %', () => {
  const sample = createFallbackSampler();
  const at = 1_790_000_000_000;
  const never = () => 0.99;
  assert.deepEqual([sample(at, never), sample(at + 1, never), sample(at + 999, never), sample(at + 1000, never)], [true, false, false, true]);
  assert.equal(sample(at + 1001, () => 0.049), true);
  assert.equal(sample(at + 1002, () => 0.05), false);
});

const rule = (r: Partial<SamplingRule>): SamplingRule => ({
  RuleName: 'r', RuleARN: 'arn', ResourceARN: '*', Priority: 1, FixedRate: 0, ReservoirSize: 0,
  ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, Attributes: {}, ...r,
});

test('rule: matches service name, method, path and host; ServiceType only as "*"; Default matches all', () => {
  const req = { serviceName: 'svc', method: 'GET', path: '/sampled/x', host: 'api.local' };
  assert.equal(new CentralRule(rule({ ServiceName: 'svc', URLPath: '/sampled*', HTTPMethod: 'get', Host: '*.local' })).matches(req), true);
  assert.equal(new CentralRule(rule({ ServiceName: 'other' })).matches(req), false);
  assert.equal(new CentralRule(rule({ HTTPMethod: 'POST' })).matches(req), false);
  assert.equal(new CentralRule(rule({ Host: 'x' })).matches({ ...req, host: undefined }), false);
  assert.equal(new CentralRule(rule({ ServiceType: 'AWS::EC2::Instance' })).matches(req), false);
  assert.equal(new CentralRule(rule({ RuleName: 'Default', Priority: 10000, URLPath: '/never' })).matches(req), true);
});

test('rule: counts requests, sampled and borrowed, and reports then resets them', () => {
  const r = new CentralRule(rule({ ReservoirSize: 1, FixedRate: 0.5 }));
  const at = 1_790_000_000_000;
  assert.equal(r.report('c'.repeat(24), at), undefined, 'nothing to report before any request');
  const decisions = [r.sample(at, () => 0.9), r.sample(at + 1, () => 0.9), r.sample(at + 2, () => 0.1)];
  assert.deepEqual(decisions, [true, false, true]);
  assert.deepEqual(r.report('c'.repeat(24), at + 5000), { RuleName: 'r', ClientID: 'c'.repeat(24), Timestamp: at / 1000 + 5, RequestCount: 3, SampledCount: 2, BorrowCount: 1 });
  assert.equal(r.report('c'.repeat(24), at + 6000), undefined);
});

test('rule: an Interval of 20 s reports every second tick', () => {
  const r = new CentralRule(rule({}));
  r.applyTarget({ RuleName: 'r', FixedRate: 1, ReservoirQuota: 0, ReservoirQuotaTTL: 1, Interval: 20 });
  r.sample(0, Math.random);
  assert.equal(r.report('c'.repeat(24), 0), undefined);
  assert.equal(r.report('c'.repeat(24), 0)?.RequestCount, 1);
  assert.equal(r.rate, 1, 'the target FixedRate replaces the rule one');
});

test('sampleRequest: path from url.path, else from url.full without query; host from server.address', () => {
  const cases: [Record<string, string>, string | undefined, string, string | undefined][] = [
    [{ 'http.request.method': 'GET', 'url.full': 'http://h:1/sampled/x?q=1#f', 'server.address': 'h' }, 'GET', '/sampled/x', 'h'],
    [{ 'url.path': '/p', 'url.full': 'http://h/other' }, undefined, '/p', undefined],
    [{ 'url.full': 'http://h?x=/y' }, undefined, '/', undefined],
    [{ 'http.method': 'POST', 'http.url': 'https://[::1]:8/a/b' }, 'POST', '/a/b', undefined],
    [{}, undefined, '/', undefined],
  ];
  for (const [attributes, method, path, host] of cases) {
    assert.deepEqual(sampleRequest('svc', attributes), { serviceName: 'svc', method, path, host }, JSON.stringify(attributes));
  }
});
