/**
 * Every X-Ray operation beside the trace ones (xray-api.test.ts) through AWS's SDK client
 * against a real trace-console process: groups, sampling rules and statistics, time series,
 * tags, resource policies, settings, telemetry; one error case per family, throttling, and
 * persistence across a restart on the same --db.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateGroupCommand,
  CreateSamplingRuleCommand,
  DeleteGroupCommand,
  DeleteResourcePolicyCommand,
  DeleteSamplingRuleCommand,
  GetEncryptionConfigCommand,
  GetGroupCommand,
  GetGroupsCommand,
  GetIndexingRulesCommand,
  GetSamplingRulesCommand,
  GetSamplingStatisticSummariesCommand,
  GetSamplingTargetsCommand,
  GetServiceGraphCommand,
  GetTimeSeriesServiceStatisticsCommand,
  GetTraceSegmentDestinationCommand,
  GetTraceSummariesCommand,
  ListResourcePoliciesCommand,
  ListTagsForResourceCommand,
  PutEncryptionConfigCommand,
  PutResourcePolicyCommand,
  PutTelemetryRecordsCommand,
  PutTraceSegmentsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateGroupCommand,
  UpdateIndexingRuleCommand,
  UpdateSamplingRuleCommand,
  UpdateTraceSegmentDestinationCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
import { startConsole, type RunningConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { fetchTrace } from '../fixtures.ts';

function sdk(t: { after: (fn: () => void) => void }, url: string): XRayClient {
  const client = new XRayClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  t.after(() => client.destroy());
  return client;
}

/** The SDK's parsed error: AWS's __type name and HTTP status. */
async function refused(call: Promise<unknown>, name: string, status: number): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  const err = (await call.then(
    () => assert.fail(`expected ${name}`),
    (e: unknown) => e,
  )) as Error & { $metadata: { httpStatusCode?: number } };
  assert.equal(err.name, name, err.message);
  assert.equal(err.$metadata.httpStatusCode, status);
  return err;
}

const policy = (action = 'xray:PutTraceSegments') =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'sns', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: action, Resource: '*' }] });

test('groups, sampling rules, tags, policies and settings through the AWS SDK', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'traces.db');
  // A rule from --sampling-rules FILE: served beside the API's, and deletable through the API for good.
  const rulesFile = join(dir, 'rules.json');
  writeFileSync(rulesFile, JSON.stringify([{ RuleName: 'from-file', Priority: 50, FixedRate: 0.3, ReservoirSize: 1 }]));
  const args = ['--sampling-rules', rulesFile];
  let tc: RunningConsole = await startConsole(t, { db, args });
  let client = sdk(t, tc.url);
  const withArchiver = fetchTrace({ status: 502, upstreamStatus: 503 });
  const alone = fetchTrace();
  const window = { StartTime: new Date((withArchiver.fetcher.start_time - 60) * 1000), EndTime: new Date((withArchiver.fetcher.start_time + 60) * 1000) };
  await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [withArchiver.fetcher, withArchiver.archiver, alone.fetcher].map((d) => JSON.stringify(d)) }));
  await tc.waitForTrace(withArchiver.trace, (tr) => tr.segments.length === 2);
  await tc.waitForTrace(alone.trace);
  let groupArn = '';

  await t.test('CreateGroup, GetGroup, GetGroups, UpdateGroup', async () => {
    const created = await client.send(new CreateGroupCommand({ GroupName: 'archiving', FilterExpression: 'service("archiver") AND fault', Tags: [{ Key: 'team', Value: 'storage' }] }));
    groupArn = created.Group!.GroupARN!;
    assert.match(groupArn, /^arn:aws:xray:local:000000000000:group\/archiving\/[0-9A-F]{32}$/);
    assert.deepEqual(created.Group, { GroupName: 'archiving', GroupARN: groupArn, FilterExpression: 'service("archiver") AND fault', InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false } });
    assert.deepEqual((await client.send(new GetGroupCommand({ GroupARN: groupArn }))).Group, created.Group);
    const all = await client.send(new GetGroupsCommand({}));
    assert.deepEqual(all.Groups!.map((g) => g.GroupName), ['Default', 'archiving']);
    const updated = await client.send(new UpdateGroupCommand({ GroupName: 'archiving', InsightsConfiguration: { InsightsEnabled: true } }));
    assert.equal(updated.Group!.FilterExpression, 'service("archiver") AND fault');
    assert.deepEqual(updated.Group!.InsightsConfiguration, { InsightsEnabled: true, NotificationsEnabled: false });
  });

  await t.test('a group narrows GetTraceSummaries (group.name / group.arn), GetServiceGraph and GetTimeSeriesServiceStatistics', async () => {
    const ids = async (FilterExpression: string) => (await client.send(new GetTraceSummariesCommand({ ...window, FilterExpression }))).TraceSummaries!.map((s) => s.Id).sort();
    assert.deepEqual(await ids('group.name = "archiving"'), [withArchiver.trace]);
    assert.deepEqual(await ids(`group.arn = "${groupArn}"`), [withArchiver.trace]);
    assert.deepEqual(await ids('group.name != "archiving"'), [alone.trace]);
    assert.deepEqual(await ids('group.name = "Default"'), [withArchiver.trace, alone.trace].sort());
    const graph = await client.send(new GetServiceGraphCommand({ ...window, GroupName: 'archiving' }));
    const fetcherNode = (services: typeof graph.Services) => services!.find((s) => s.Name === 'fetcher' && s.Type !== 'client');
    // Only the trace that reached the archiver: one call into the fetcher, which faulted.
    assert.equal(fetcherNode(graph.Services)!.SummaryStatistics!.TotalCount, 1);
    const everything = await client.send(new GetServiceGraphCommand(window));
    assert.equal(fetcherNode(everything.Services)!.SummaryStatistics!.TotalCount, 2);

    const series = await client.send(new GetTimeSeriesServiceStatisticsCommand({ ...window, GroupARN: groupArn, Period: 60, ForecastStatistics: true }));
    const total = (s: typeof series) => s.TimeSeriesServiceStatistics!.reduce((n, p) => n + p.ServiceSummaryStatistics!.TotalCount!, 0);
    assert.equal(total(series), 1);
    assert.equal(series.TimeSeriesServiceStatistics!.reduce((n, p) => n + p.ServiceSummaryStatistics!.FaultStatistics!.TotalCount!, 0), 1);
    assert.ok(series.TimeSeriesServiceStatistics!.every((p) => p.Timestamp instanceof Date && p.Timestamp.getTime() % 60_000 === 0 && p.ServiceForecastStatistics !== undefined));
    assert.equal(total(await client.send(new GetTimeSeriesServiceStatisticsCommand(window))), 2);
    const archiver = await client.send(new GetTimeSeriesServiceStatisticsCommand({ ...window, EntitySelectorExpression: 'service("archiver")' }));
    // The calls into the archiver, as the service map counts them.
    assert.equal(total(archiver), everything.Services!.find((s) => s.Name === 'archiver')!.SummaryStatistics!.TotalCount);
    assert.ok(archiver.TimeSeriesServiceStatistics![0]!.ResponseTimeHistogram!.length >= 1);
  });

  await t.test('group errors: a duplicate, a bad filter, an unknown group, the Default group', async () => {
    await refused(client.send(new CreateGroupCommand({ GroupName: 'archiving' })), 'InvalidRequestException', 400);
    const bad = await refused(client.send(new CreateGroupCommand({ GroupName: 'bad', FilterExpression: 'service(' })), 'InvalidRequestException', 400);
    assert.match(bad.message, /Invalid filter expression/);
    const missing = await refused(client.send(new GetGroupCommand({ GroupName: 'nope' })), 'ResourceNotFoundException', 404);
    assert.equal((missing as unknown as { ResourceName: string }).ResourceName, 'nope');
    await refused(client.send(new GetServiceGraphCommand({ ...window, GroupName: 'nope' })), 'ResourceNotFoundException', 404);
    await refused(client.send(new GetTraceSummariesCommand({ ...window, FilterExpression: 'group.name = "nope"' })), 'InvalidRequestException', 400);
    await refused(client.send(new DeleteGroupCommand({ GroupName: 'Default' })), 'InvalidRequestException', 400);
    await refused(client.send(new GetTimeSeriesServiceStatisticsCommand({ ...window, Period: 61 })), 'InvalidRequestException', 400);
  });

  let ruleArn = '';
  await t.test('CreateSamplingRule is served to the SDKs at once; UpdateSamplingRule; statistics summaries', async () => {
    const before = await client.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [] }));
    const created = await client.send(
      new CreateSamplingRuleCommand({
        SamplingRule: { RuleName: 'api', Priority: 10, FixedRate: 0.5, ReservoirSize: 3, ServiceName: 'fetcher', ServiceType: '*', Host: '*', HTTPMethod: 'GET', URLPath: '/api/*', ResourceARN: '*', Version: 1 },
        Tags: [{ Key: 'env', Value: 'dev' }],
      }),
    );
    ruleArn = created.SamplingRuleRecord!.SamplingRule!.RuleARN!;
    assert.equal(ruleArn, 'arn:aws:xray:local:000000000000:sampling-rule/api');
    assert.ok(created.SamplingRuleRecord!.CreatedAt instanceof Date);
    const rules = await client.send(new GetSamplingRulesCommand({}));
    assert.deepEqual(rules.SamplingRuleRecords!.map((r) => r.SamplingRule!.RuleName), ['api', 'from-file', 'Default']);
    const now = new Date();
    const targets = await client.send(
      new GetSamplingTargetsCommand({
        SamplingStatisticsDocuments: [{ RuleName: 'api', ClientID: '0123456789abcdef01234567', Timestamp: now, RequestCount: 10, SampledCount: 4, BorrowCount: 1 }],
      }),
    );
    assert.ok(targets.LastRuleModification!.getTime() >= before.LastRuleModification!.getTime());
    assert.deepEqual(targets.SamplingTargetDocuments!.map((d) => [d.RuleName, d.FixedRate]), [['api', 0.5]]);
    const summaries = await client.send(new GetSamplingStatisticSummariesCommand({}));
    assert.deepEqual(
      summaries.SamplingStatisticSummaries!.map(({ Timestamp, ...s }) => (assert.ok(Timestamp instanceof Date), s)),
      [{ RuleName: 'api', RequestCount: 10, SampledCount: 4, BorrowCount: 1 }],
    );
    const updated = await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleARN: ruleArn, FixedRate: 0.25, URLPath: '/v2/*' } }));
    assert.equal(updated.SamplingRuleRecord!.SamplingRule!.FixedRate, 0.25);
    assert.equal(updated.SamplingRuleRecord!.SamplingRule!.URLPath, '/v2/*');
    assert.equal(updated.SamplingRuleRecord!.SamplingRule!.HTTPMethod, 'GET');
    const def = await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', FixedRate: 0.1 } }));
    assert.equal(def.SamplingRuleRecord!.SamplingRule!.FixedRate, 0.1);
  });

  await t.test('sampling rule errors: invalid, duplicate, unknown, the Default rule, over the limit', async () => {
    const rule = { RuleName: 'x', Priority: 1, FixedRate: 2, ReservoirSize: 1, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', ResourceARN: '*', Version: 1 };
    const err = await refused(client.send(new CreateSamplingRuleCommand({ SamplingRule: rule })), 'InvalidRequestException', 400);
    assert.match(err.message, /FixedRate/);
    await refused(client.send(new CreateSamplingRuleCommand({ SamplingRule: { ...rule, RuleName: 'api', FixedRate: 0 } })), 'InvalidRequestException', 400);
    await refused(client.send(new DeleteSamplingRuleCommand({ RuleName: 'nope' })), 'InvalidRequestException', 400);
    await refused(client.send(new DeleteSamplingRuleCommand({ RuleName: 'Default' })), 'InvalidRequestException', 400);
    await refused(client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', URLPath: '/x' } })), 'InvalidRequestException', 400);
    // api and from-file exist: 23 more make AWS's 25.
    for (let i = 1; i <= 23; i++) await client.send(new CreateSamplingRuleCommand({ SamplingRule: { ...rule, RuleName: `r${i}`, FixedRate: 0.1, Priority: 100 + i } }));
    await refused(client.send(new CreateSamplingRuleCommand({ SamplingRule: { ...rule, RuleName: 'r24', FixedRate: 0.1 } })), 'RuleLimitExceededException', 400);
    for (let i = 1; i <= 23; i++) await client.send(new DeleteSamplingRuleCommand({ RuleName: `r${i}` }));
    assert.equal((await client.send(new DeleteSamplingRuleCommand({ RuleName: 'from-file' }))).SamplingRuleRecord!.SamplingRule!.FixedRate, 0.3);
  });

  await t.test('TagResource, UntagResource, ListTagsForResource; unknown resource and too many tags', async () => {
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceARN: groupArn }))).Tags, [{ Key: 'team', Value: 'storage' }]);
    await client.send(new TagResourceCommand({ ResourceARN: ruleArn, Tags: [{ Key: 'owner', Value: 'me' }, { Key: 'env', Value: 'prod' }] }));
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceARN: ruleArn }))).Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'me' }]);
    await client.send(new UntagResourceCommand({ ResourceARN: ruleArn, TagKeys: ['env'] }));
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceARN: ruleArn }))).Tags, [{ Key: 'owner', Value: 'me' }]);
    await refused(client.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:xray:local:000000000000:group/nope/X' })), 'ResourceNotFoundException', 404);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const err = await refused(client.send(new TagResourceCommand({ ResourceARN: groupArn, Tags: many })), 'TooManyTagsException', 400);
    assert.equal((err as unknown as { ResourceName: string }).ResourceName, groupArn);
    await refused(client.send(new TagResourceCommand({ ResourceARN: groupArn, Tags: [{ Key: 'aws:x', Value: 'v' }] })), 'InvalidRequestException', 400);
  });

  await t.test('PutResourcePolicy, ListResourcePolicies, DeleteResourcePolicy with revisions and limits', async () => {
    const put = await client.send(new PutResourcePolicyCommand({ PolicyName: 'sns', PolicyDocument: policy() }));
    assert.equal(put.ResourcePolicy!.PolicyRevisionId, '1');
    assert.ok(put.ResourcePolicy!.LastUpdatedTime instanceof Date);
    const again = await client.send(new PutResourcePolicyCommand({ PolicyName: 'sns', PolicyDocument: policy('xray:*'), PolicyRevisionId: '1' }));
    assert.equal(again.ResourcePolicy!.PolicyRevisionId, '2');
    await refused(client.send(new PutResourcePolicyCommand({ PolicyName: 'sns', PolicyDocument: policy(), PolicyRevisionId: '1' })), 'InvalidPolicyRevisionIdException', 400);
    await refused(client.send(new PutResourcePolicyCommand({ PolicyName: 'bad', PolicyDocument: '{"Statement": [{"Effect": "Maybe"}]}' })), 'MalformedPolicyDocumentException', 400);
    await refused(client.send(new PutResourcePolicyCommand({ PolicyName: 'big', PolicyDocument: policy('x'.repeat(6000)) })), 'PolicySizeLimitExceededException', 400);
    for (let i = 2; i <= 5; i++) await client.send(new PutResourcePolicyCommand({ PolicyName: `p${i}`, PolicyDocument: policy() }));
    await refused(client.send(new PutResourcePolicyCommand({ PolicyName: 'p6', PolicyDocument: policy() })), 'PolicyCountLimitExceededException', 400);
    const listed = await client.send(new ListResourcePoliciesCommand({}));
    assert.deepEqual(listed.ResourcePolicies!.map((p) => p.PolicyName), ['sns', 'p2', 'p3', 'p4', 'p5']);
    await refused(client.send(new DeleteResourcePolicyCommand({ PolicyName: 'sns', PolicyRevisionId: '1' })), 'InvalidPolicyRevisionIdException', 400);
    for (const name of ['p2', 'p3', 'p4', 'p5']) await client.send(new DeleteResourcePolicyCommand({ PolicyName: name }));
    assert.deepEqual((await client.send(new ListResourcePoliciesCommand({}))).ResourcePolicies!.map((p) => p.PolicyName), ['sns']);
  });

  await t.test('encryption config, indexing rules, trace segment destination', async () => {
    assert.deepEqual((await client.send(new GetEncryptionConfigCommand({}))).EncryptionConfig, { Status: 'ACTIVE', Type: 'NONE' });
    const put = await client.send(new PutEncryptionConfigCommand({ Type: 'KMS', KeyId: 'alias/my-key' }));
    assert.deepEqual(put.EncryptionConfig, { KeyId: 'alias/my-key', Status: 'ACTIVE', Type: 'KMS' });
    await refused(client.send(new PutEncryptionConfigCommand({ Type: 'NONE', KeyId: 'alias/my-key' })), 'InvalidRequestException', 400);
    await refused(client.send(new PutEncryptionConfigCommand({ Type: 'AES' as never })), 'InvalidRequestException', 400);

    const rules = await client.send(new GetIndexingRulesCommand({}));
    assert.deepEqual(rules.IndexingRules!.map((r) => [r.Name, r.Rule]), [['Default', { Probabilistic: { DesiredSamplingPercentage: 1 } }]]);
    const updated = await client.send(new UpdateIndexingRuleCommand({ Name: 'Default', Rule: { Probabilistic: { DesiredSamplingPercentage: 42 } } }));
    assert.deepEqual(updated.IndexingRule!.Rule, { Probabilistic: { DesiredSamplingPercentage: 42 } });
    assert.ok(updated.IndexingRule!.ModifiedAt instanceof Date);
    await refused(client.send(new UpdateIndexingRuleCommand({ Name: 'Other', Rule: { Probabilistic: { DesiredSamplingPercentage: 1 } } })), 'ResourceNotFoundException', 404);
    await refused(client.send(new UpdateIndexingRuleCommand({ Name: 'Default', Rule: { Probabilistic: { DesiredSamplingPercentage: 101 } } })), 'InvalidRequestException', 400);

    assert.deepEqual(pick(await client.send(new GetTraceSegmentDestinationCommand({})), 'Destination', 'Status'), { Destination: 'XRay', Status: 'ACTIVE' });
    assert.deepEqual(pick(await client.send(new UpdateTraceSegmentDestinationCommand({ Destination: 'CloudWatchLogs' })), 'Destination', 'Status'), { Destination: 'CloudWatchLogs', Status: 'ACTIVE' });
    await refused(client.send(new UpdateTraceSegmentDestinationCommand({ Destination: 'S3' as never })), 'InvalidRequestException', 400);
  });

  await t.test('PutTelemetryRecords is counted in /api/diagnostics', async () => {
    const record = { Timestamp: new Date(), SegmentsReceivedCount: 7, SegmentsSentCount: 6, SegmentsRejectedCount: 1, BackendConnectionErrors: { TimeoutCount: 2, OtherCount: 1 } };
    await client.send(new PutTelemetryRecordsCommand({ TelemetryRecords: [record, { ...record, SegmentsReceivedCount: 3 }], Hostname: 'build-box' }));
    const diag = (await (await fetch(`${tc.url}/api/diagnostics`)).json()) as { xray: { telemetry: Record<string, unknown> } };
    assert.deepEqual(pick(diag.xray.telemetry, 'requests', 'records', 'segments_received', 'segments_sent', 'segments_rejected', 'backend_connection_errors', 'senders'), {
      requests: 1, records: 2, segments_received: 10, segments_sent: 12, segments_rejected: 2, backend_connection_errors: 6, senders: { 'build-box': 2 },
    });
    await refused(client.send(new PutTelemetryRecordsCommand({ TelemetryRecords: [{ Timestamp: new Date(), SegmentsSentCount: -1 }] })), 'InvalidRequestException', 400);
  });

  await t.test('everything persists across a restart on the same --db', async () => {
    await tc.stop();
    tc = await startConsole(t, { db, args });
    client = sdk(t, tc.url);
    assert.deepEqual((await client.send(new GetGroupsCommand({}))).Groups!.map((g) => g.GroupName), ['Default', 'archiving']);
    const rules = await client.send(new GetSamplingRulesCommand({}));
    assert.deepEqual(rules.SamplingRuleRecords!.map((r) => [r.SamplingRule!.RuleName, r.SamplingRule!.FixedRate]), [['api', 0.25], ['Default', 0.1]]);
    assert.deepEqual((await client.send(new ListTagsForResourceCommand({ ResourceARN: ruleArn }))).Tags, [{ Key: 'owner', Value: 'me' }]);
    assert.equal((await client.send(new ListResourcePoliciesCommand({}))).ResourcePolicies![0]!.PolicyRevisionId, '2');
    assert.deepEqual((await client.send(new GetEncryptionConfigCommand({}))).EncryptionConfig, { KeyId: 'alias/my-key', Status: 'ACTIVE', Type: 'KMS' });
    assert.equal((await client.send(new GetTraceSegmentDestinationCommand({}))).Destination, 'CloudWatchLogs');
    assert.equal((await client.send(new GetIndexingRulesCommand({}))).IndexingRules![0]!.Rule!.Probabilistic!.DesiredSamplingPercentage, 42);

    await client.send(new DeleteSamplingRuleCommand({ RuleName: 'api' }));
    await client.send(new DeleteGroupCommand({ GroupARN: groupArn }));
    await client.send(new DeleteResourcePolicyCommand({ PolicyName: 'sns', PolicyRevisionId: '2' }));
    await refused(client.send(new ListTagsForResourceCommand({ ResourceARN: ruleArn })), 'ResourceNotFoundException', 404);
    assert.deepEqual((await client.send(new GetGroupsCommand({}))).Groups!.map((g) => g.GroupName), ['Default']);
    assert.deepEqual((await client.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords!.map((r) => r.SamplingRule!.RuleName), ['Default']);
  });
});

test('writes past --xray-write-rate answer ThrottledException (429); reads are not limited', async (t) => {
  // 1 write per second, bursts of 2: of 20 writes sent at once, at most 2 plus what refills while they arrive succeed.
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), args: ['--xray-write-rate', '1'] });
  const client = sdk(t, tc.url);
  const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error & { $metadata: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata.httpStatusCode}`);
  const started = performance.now();
  const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcome(client.send(new PutEncryptionConfigCommand({ Type: 'NONE' })))));
  const seconds = (performance.now() - started) / 1000;
  const ok = outcomes.filter((o) => o === 'ok').length;
  assert.ok(ok >= 1 && ok <= 2 + Math.ceil(seconds), `${ok} writes passed in ${seconds.toFixed(1)} s: ${outcomes.join(',')}`);
  assert.deepEqual(new Set(outcomes.filter((o) => o !== 'ok')), new Set(['ThrottledException 429']));
  const reads = await Promise.all(Array.from({ length: 20 }, () => outcome(client.send(new GetEncryptionConfigCommand({})))));
  assert.deepEqual(new Set(reads), new Set(['ok']));
});

function pick(o: object, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));
}
