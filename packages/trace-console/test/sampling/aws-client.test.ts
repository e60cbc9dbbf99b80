/**
 * AWS's own JavaScript client (@aws-sdk/client-xray, a devDependency) against the console's
 * sampling service on loopback: proves the request routes, response shapes, timestamps and
 * error envelope are what AWS's SDKs parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GetSamplingRulesCommand, GetSamplingTargetsCommand, InvalidRequestException, XRayClient } from '@aws-sdk/client-xray';
import { parseSamplingRules } from '../../src/sampling/rules.ts';
import { createSamplingService } from '../../src/sampling/service.ts';
import { serveSampling } from './serve.ts';

const T0 = 1_790_000_000_000;

async function setup(t: import('node:test').TestContext) {
  const rules = parseSamplingRules([{ RuleName: 'fetch', Priority: 5, FixedRate: 0.5, ReservoirSize: 2, ServiceName: 'fetcher', HTTPMethod: 'GET' }]);
  const server = await serveSampling(t, createSamplingService(rules, { now: () => T0 }));
  const client = new XRayClient({ endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  t.after(() => client.destroy());
  return { client, server };
}

test('aws-sdk: GetSamplingRulesCommand parses every rule and its dates', async (t) => {
  const { client, server } = await setup(t);
  const out = await client.send(new GetSamplingRulesCommand({}));
  assert.equal(server.received[0].path, '/GetSamplingRules');
  assert.equal(out.NextToken, undefined);
  const records = out.SamplingRuleRecords ?? [];
  assert.deepEqual(records.map((r) => r.SamplingRule), [
    { RuleName: 'fetch', RuleARN: 'arn:aws:xray:local:000000000000:sampling-rule/fetch', ResourceARN: '*', Priority: 5, FixedRate: 0.5, ReservoirSize: 2, ServiceName: 'fetcher', ServiceType: '*', Host: '*', HTTPMethod: 'GET', URLPath: '*', Version: 1, Attributes: {} },
    { RuleName: 'Default', RuleARN: 'arn:aws:xray:local:000000000000:sampling-rule/Default', ResourceARN: '*', Priority: 10000, FixedRate: 0.05, ReservoirSize: 1, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, Attributes: {} },
  ]);
  for (const r of records) {
    assert.ok(r.CreatedAt instanceof Date && r.ModifiedAt instanceof Date);
    assert.equal(r.CreatedAt.getTime(), T0);
  }
});

test('aws-sdk: GetSamplingTargetsCommand parses targets, dates and unprocessed statistics', async (t) => {
  const { client, server } = await setup(t);
  const out = await client.send(new GetSamplingTargetsCommand({
    SamplingStatisticsDocuments: [
      { RuleName: 'fetch', ClientID: 'c'.repeat(24), Timestamp: new Date(T0), RequestCount: 7, SampledCount: 3, BorrowCount: 1 },
      { RuleName: 'nope', ClientID: 'c'.repeat(24), Timestamp: new Date(T0), RequestCount: 1, SampledCount: 0 },
    ],
  }));
  assert.equal(server.received[0].path, '/SamplingTargets');
  assert.deepEqual(out.SamplingTargetDocuments, [{ RuleName: 'fetch', FixedRate: 0.5, ReservoirQuota: 2, ReservoirQuotaTTL: new Date(T0 + 10_000), Interval: 10 }]);
  assert.deepEqual(out.LastRuleModification, new Date(T0));
  assert.deepEqual(out.UnprocessedStatistics, [{ RuleName: 'nope', ErrorCode: '400', Message: 'Unknown sampling rule "nope"' }]);
});

test('aws-sdk: a bad request surfaces as InvalidRequestException with our message', async (t) => {
  const { client } = await setup(t);
  await assert.rejects(
    client.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [{ RuleName: 'fetch', ClientID: 'short', Timestamp: new Date(T0), RequestCount: 1, SampledCount: 1 }] })),
    (err: unknown) => {
      assert.ok(err instanceof InvalidRequestException, String(err));
      assert.match(err.message, /ClientID must be a string of exactly 24 characters/);
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    },
  );
});
