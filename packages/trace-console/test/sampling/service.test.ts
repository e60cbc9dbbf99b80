/** The console's GetSamplingRules / GetSamplingTargets answers and request validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSamplingRules, defaultSamplingRules } from '../../src/sampling/rules.ts';
import { createSamplingService, InvalidRequestException } from '../../src/sampling/service.ts';
import { assertRulesResult, assertTargetsResult } from './shapes.ts';

const T0 = 1_790_000_000_000; // epoch ms, a multiple of 10 s
const clientA = 'a'.repeat(24);
const rules = parseSamplingRules({
  version: 2,
  rules: [{ description: 'fetch', host: '*', http_method: 'GET', url_path: '/fetch/*', fixed_target: 4, rate: 0.25 }],
  default: { fixed_target: 1, rate: 0.05 },
});
const stats = (RuleName: string, extra: object = {}) => ({ RuleName, ClientID: clientA, Timestamp: T0 / 1000, RequestCount: 10, SampledCount: 3, BorrowCount: 1, ...extra });

test('service: GetSamplingRules returns every rule in AWS shape, accepted by aws-xray-sdk-node', () => {
  const service = createSamplingService(rules, { now: () => T0 + 400 });
  for (const body of [{}, undefined, { NextToken: 'ignored' }]) {
    const result = service.getSamplingRules(body);
    assertRulesResult(result);
    assert.deepEqual(result.SamplingRuleRecords.map((r) => r.SamplingRule.RuleName), ['fetch', 'Default']);
    assert.equal(result.NextToken, undefined, 'one page: no NextToken');
    assert.deepEqual(result.SamplingRuleRecords.map((r) => [r.CreatedAt, r.ModifiedAt]), [[T0 / 1000, T0 / 1000], [T0 / 1000, T0 / 1000]]);
  }
  assertRulesResult(createSamplingService(defaultSamplingRules()).getSamplingRules({}));
});

test('service: the answer is a copy; callers cannot change the rules', () => {
  const service = createSamplingService(rules, { now: () => T0 });
  const first = service.getSamplingRules({});
  first.SamplingRuleRecords[0].SamplingRule.FixedRate = 1;
  first.SamplingRuleRecords[0].SamplingRule.Attributes.x = 'y';
  assert.equal(service.getSamplingRules({}).SamplingRuleRecords[0].SamplingRule.FixedRate, 0.25);
  assert.deepEqual(service.getSamplingRules({}).SamplingRuleRecords[0].SamplingRule.Attributes, {});
});

test('service: GetSamplingTargets answers per rule with quota, TTL 10 s ahead, Interval 10', () => {
  const service = createSamplingService(rules, { now: () => T0 + 2500 });
  const result = service.getSamplingTargets({ SamplingStatisticsDocuments: [stats('fetch'), stats('Default', { RequestCount: 0, SampledCount: 0, BorrowCount: 0 })] });
  assertTargetsResult(result);
  assert.deepEqual(result, {
    SamplingTargetDocuments: [
      { RuleName: 'fetch', FixedRate: 0.25, ReservoirQuota: 4, ReservoirQuotaTTL: T0 / 1000 + 12, Interval: 10 },
      // A client that saw no requests for a rule gets no share of its reservoir.
      { RuleName: 'Default', FixedRate: 0.05, ReservoirQuota: 0, ReservoirQuotaTTL: T0 / 1000 + 12, Interval: 10 },
    ],
    LastRuleModification: T0 / 1000 + 2,
    UnprocessedStatistics: [],
  });
});

test('service: an unknown RuleName is an UnprocessedStatistics entry, the rest is answered', () => {
  const service = createSamplingService(rules, { now: () => T0 });
  const result = service.getSamplingTargets({ SamplingStatisticsDocuments: [stats('gone'), stats('fetch', { Timestamp: T0 / 1000 + 0.25, BorrowCount: undefined })] });
  assertTargetsResult(result);
  assert.deepEqual(result.UnprocessedStatistics, [{ RuleName: 'gone', ErrorCode: '400', Message: 'Unknown sampling rule "gone"' }]);
  assert.deepEqual(result.SamplingTargetDocuments.map((d) => d.RuleName), ['fetch']);
  assert.deepEqual(service.statistics().find((s) => s.RuleName === 'fetch'), { RuleName: 'fetch', RequestCount: 10, SampledCount: 3, BorrowCount: 0, ActiveClients: 1 });
});

test('service: an empty statistics list is answered with no targets', () => {
  const result = createSamplingService(rules, { now: () => T0 }).getSamplingTargets({ SamplingStatisticsDocuments: [], SamplingBoostStatisticsDocuments: [] });
  assertTargetsResult(result);
  assert.deepEqual(result.SamplingTargetDocuments, []);
});

const bad: [string, unknown, RegExp][] = [
  ['rules: body is a list', { rules: [] }, /request body must be a JSON object/],
  ['rules: NextToken is a number', { rules: { NextToken: 3 } }, /NextToken must be a string/],
  ['targets: no body', { targets: undefined }, /request body must be a JSON object/],
  ['targets: statistics missing', { targets: {} }, /SamplingStatisticsDocuments is required/],
  ['targets: 26 documents', { targets: { SamplingStatisticsDocuments: Array.from({ length: 26 }, () => stats('fetch')) } }, /has 26 members; the maximum is 25/],
  ['targets: 26 boost documents', { targets: { SamplingStatisticsDocuments: [], SamplingBoostStatisticsDocuments: Array(26).fill({}) } }, /SamplingBoostStatisticsDocuments has 26/],
  ['targets: ClientID of 23', { targets: { SamplingStatisticsDocuments: [stats('fetch'), stats('fetch', { ClientID: 'b'.repeat(23) })] } }, /SamplingStatisticsDocuments\[1\]\.ClientID must be a string of exactly 24 characters/],
  ['targets: RuleName missing', { targets: { SamplingStatisticsDocuments: [stats('fetch', { RuleName: undefined })] } }, /\[0\]\.RuleName/],
  ['targets: Timestamp as text', { targets: { SamplingStatisticsDocuments: [stats('fetch', { Timestamp: '2026-11-27T00:00:00Z' })] } }, /\[0\]\.Timestamp must be a number/],
  ['targets: RequestCount negative', { targets: { SamplingStatisticsDocuments: [stats('fetch', { RequestCount: -1 })] } }, /\[0\]\.RequestCount must be an integer >= 0/],
  ['targets: SampledCount missing', { targets: { SamplingStatisticsDocuments: [stats('fetch', { SampledCount: undefined })] } }, /\[0\]\.SampledCount/],
  ['targets: BorrowCount fractional', { targets: { SamplingStatisticsDocuments: [stats('fetch', { BorrowCount: 0.5 })] } }, /\[0\]\.BorrowCount/],
];

for (const [name, input, message] of bad) {
  test(`service: refuses ${name} with InvalidRequestException`, () => {
    const service = createSamplingService(rules, { now: () => T0 });
    const call = 'rules' in (input as object) ? () => service.getSamplingRules((input as { rules: unknown }).rules) : () => service.getSamplingTargets((input as { targets: unknown }).targets);
    assert.throws(call, (err: unknown) => {
      assert.ok(err instanceof InvalidRequestException);
      assert.equal(err.name, 'InvalidRequestException');
      assert.match(err.message, message);
      return true;
    });
  });
}
