/**
 * AWS's own CLI (Debian's awscli, v2) drives every X-Ray operation it knows against a real
 * trace-console with `--endpoint-url`. Debian's 2.9.x predates GetIndexingRules,
 * UpdateIndexingRule, GetTraceSegmentDestination, UpdateTraceSegmentDestination and trace
 * retrieval; those are covered through the SDK (xray-operations.test.ts). Skipped locally
 * when the package is absent; in CI its absence fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { fetchTrace } from '../fixtures.ts';

// Debian's package; a pip-installed `aws` (v1) earlier on PATH may shadow it.
const AWS = '/usr/bin/aws';
const probe = spawnSync(AWS, ['--version'], { encoding: 'utf8', timeout: 30_000 });
const available = probe.status === 0;

interface Result {
  code: number;
  json: any;
  stderr: string;
}

function cli(url: string, dir: string, args: string[]): Promise<Result> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'y',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(dir, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
  };
  return new Promise((resolve) => {
    execFile(AWS, ['xray', ...args, '--endpoint-url', url, '--output', 'json', '--no-cli-pager'], { env, timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, json: stdout.trim() ? JSON.parse(stdout) : undefined, stderr });
    });
  });
}

// About 40 commands, each a Python start-up of 1-5 s on a loaded 2-core machine: more than the suite's 120 s default.
test('the AWS CLI (v2) answers every X-Ray command it has', { timeout: 400_000, skip: !available && !process.env.CI ? 'Debian awscli is not installed (apt-get install awscli)' : false }, async (t) => {
  assert.ok(available, `CI must have Debian's awscli installed: ${probe.stderr || probe.error?.message}`);
  const dir = tempDir(t);
  const tc = await startConsole(t, { db: join(dir, 'traces.db') });
  const aws = async (...args: string[]) => {
    const r = await cli(tc.url, dir, args);
    assert.equal(r.code, 0, `aws xray ${args.join(' ')}: ${r.stderr}`);
    return r.json;
  };
  const fails = async (type: string, ...args: string[]) => {
    const r = await cli(tc.url, dir, args);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`\\(${type}\\)`), r.stderr);
  };
  const { trace, fetcher, archiver } = fetchTrace({ status: 502, upstreamStatus: 503 });
  const window = ['--start-time', String(Math.floor(fetcher.start_time - 60)), '--end-time', String(Math.ceil(fetcher.start_time + 60))];

  // Traces.
  assert.deepEqual((await aws('put-trace-segments', '--trace-segment-documents', JSON.stringify(fetcher), JSON.stringify(archiver))).UnprocessedTraceSegments, []);
  await tc.waitForTrace(trace, (tr) => tr.segments.length === 2);
  // Each family is one sequence of commands; the families run side by side (every command
  // starts a Python process, slow on a loaded machine).
  const families: Array<() => Promise<void>> = [
    // Traces.
    async () => {
      assert.deepEqual((await aws('get-trace-summaries', ...window, '--filter-expression', 'fault')).TraceSummaries.map((s: { Id: string }) => s.Id), [trace]);
      const segmentIds = (await aws('batch-get-traces', '--trace-ids', trace)).Traces[0].Segments.map((s: { Id: string }) => s.Id);
      for (const id of [fetcher.id, archiver.id]) assert.ok(segmentIds.includes(id), `${id} in ${segmentIds}`);
      assert.ok((await aws('get-service-graph', ...window)).Services.some((s: { Name?: string }) => s.Name === 'archiver'));
      assert.ok((await aws('get-trace-graph', '--trace-ids', trace)).Services.length >= 2);
      await fails('InvalidRequestException', 'get-trace-summaries', ...window, '--filter-expression', 'service(');
    },
    // Groups and tags.
    async () => {
      const group = (await aws('create-group', '--group-name', 'faults', '--filter-expression', 'fault', '--tags', 'Key=team,Value=web')).Group;
      assert.match(group.GroupARN, /:group\/faults\//);
      assert.equal((await aws('get-group', '--group-name', 'faults')).Group.FilterExpression, 'fault');
      assert.deepEqual((await aws('get-groups')).Groups.map((g: { GroupName: string }) => g.GroupName), ['Default', 'faults']);
      assert.equal((await aws('update-group', '--group-arn', group.GroupARN, '--filter-expression', 'fault OR error')).Group.FilterExpression, 'fault OR error');
      const series = await aws('get-time-series-service-statistics', ...window, '--group-name', 'faults', '--period', '60');
      assert.equal(series.TimeSeriesServiceStatistics.reduce((n: number, p: { ServiceSummaryStatistics: { TotalCount: number } }) => n + p.ServiceSummaryStatistics.TotalCount, 0), 1);
      await fails('ResourceNotFoundException', 'get-group', '--group-name', 'nope');

      await aws('tag-resource', '--resource-arn', group.GroupARN, '--tags', 'Key=tier,Value=1');
      await aws('untag-resource', '--resource-arn', group.GroupARN, '--tag-keys', 'team');
      assert.deepEqual((await aws('list-tags-for-resource', '--resource-arn', group.GroupARN)).Tags, [{ Key: 'tier', Value: '1' }]);
      await fails('ResourceNotFoundException', 'list-tags-for-resource', '--resource-arn', 'arn:aws:xray:local:000000000000:group/x/y');
      await aws('delete-group', '--group-name', 'faults');
    },
    // Sampling.
    async () => {
      const rule = { RuleName: 'cli', Priority: 5, FixedRate: 0.2, ReservoirSize: 2, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '/cli/*', ResourceARN: '*', Version: 1 };
      assert.equal((await aws('create-sampling-rule', '--sampling-rule', JSON.stringify(rule))).SamplingRuleRecord.SamplingRule.RuleARN, 'arn:aws:xray:local:000000000000:sampling-rule/cli');
      assert.equal((await aws('update-sampling-rule', '--sampling-rule-update', JSON.stringify({ RuleName: 'cli', FixedRate: 0.3 }))).SamplingRuleRecord.SamplingRule.FixedRate, 0.3);
      assert.deepEqual((await aws('get-sampling-rules')).SamplingRuleRecords.map((r: { SamplingRule: { RuleName: string } }) => r.SamplingRule.RuleName), ['cli', 'Default']);
      const stats = [{ RuleName: 'cli', ClientID: '0123456789abcdef01234567', Timestamp: Math.floor(Date.now() / 1000), RequestCount: 5, SampledCount: 2, BorrowCount: 0 }];
      assert.equal((await aws('get-sampling-targets', '--sampling-statistics-documents', JSON.stringify(stats))).SamplingTargetDocuments[0].FixedRate, 0.3);
      assert.equal((await aws('get-sampling-statistic-summaries')).SamplingStatisticSummaries[0].RequestCount, 5);
      assert.equal((await aws('delete-sampling-rule', '--rule-name', 'cli')).SamplingRuleRecord.SamplingRule.RuleName, 'cli');
      await fails('InvalidRequestException', 'delete-sampling-rule', '--rule-name', 'Default');
    },
    // Encryption.
    async () => {
      assert.equal((await aws('put-encryption-config', '--type', 'KMS', '--key-id', 'alias/k')).EncryptionConfig.KeyId, 'alias/k');
      assert.equal((await aws('get-encryption-config')).EncryptionConfig.Type, 'KMS');
      await fails('InvalidRequestException', 'put-encryption-config', '--type', 'NONE', '--key-id', 'alias/k');
    },
    // Resource policies.
    async () => {
      const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'xray:PutTraceSegments', Resource: '*' }] });
      assert.equal((await aws('put-resource-policy', '--policy-name', 'sns', '--policy-document', doc)).ResourcePolicy.PolicyRevisionId, '1');
      assert.deepEqual((await aws('list-resource-policies')).ResourcePolicies.map((p: { PolicyName: string }) => p.PolicyName), ['sns']);
      await fails('InvalidPolicyRevisionIdException', 'delete-resource-policy', '--policy-name', 'sns', '--policy-revision-id', '9');
      await aws('delete-resource-policy', '--policy-name', 'sns');
      await fails('MalformedPolicyDocumentException', 'put-resource-policy', '--policy-name', 'bad', '--policy-document', '{}');
    },
    // Telemetry.
    async () => {
      const records = [{ Timestamp: Math.floor(Date.now() / 1000), SegmentsReceivedCount: 4, SegmentsSentCount: 4 }];
      await aws('put-telemetry-records', '--telemetry-records', JSON.stringify(records), '--hostname', 'cli-host');
      const diag = (await (await fetch(`${tc.url}/api/diagnostics`)).json()) as { xray: { telemetry: { segments_received: number; senders: Record<string, number> } } };
      assert.equal(diag.xray.telemetry.segments_received, 4);
      assert.deepEqual(diag.xray.telemetry.senders, { 'cli-host': 1 });
      await fails('InvalidRequestException', 'put-telemetry-records', '--telemetry-records', '[{"Timestamp": 1, "SegmentsSentCount": -1}]');
    },
  ];
  await Promise.all(families.map((f) => f()));
});
