/**
 * Insights end to end: real segments over UDP loopback to a real trace-console, timed into
 * past one-minute buckets (a 5 % fault baseline, an archiver outage, recovery, then an upstream
 * outage still going on), read back through AWS's SDK.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  GetInsightCommand,
  GetInsightEventsCommand,
  GetInsightImpactGraphCommand,
  GetInsightSummariesCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { datagram } from '../fixtures.ts';
import { timedFetch, type Failure } from '../insight-traces.ts';

test('a fault-rate jump opens an insight naming the root-cause service; recovery closes it', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db') });
  const xray = new XRayClient({ endpoint: tc.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  t.after(() => xray.destroy());
  const m0 = Math.floor(Date.now() / 60_000) - 30; // 30 minutes ago, in whole minutes
  // Minute offset → failing traces of 20 (and which service fails).
  const plan: [number, number, Failure][] = [];
  for (let m = 0; m < 10; m++) plan.push([m, 1, 'archiver']);
  plan.push([10, 12, 'archiver'], [11, 1, 'archiver'], [12, 1, 'upstream'], [13, 1, 'upstream'], [14, 1, 'upstream'], [15, 10, 'upstream']);
  for (const [m, failing, failure] of plan) {
    let last = '';
    const datagrams: Buffer[] = [];
    for (let i = 0; i < 20; i++) {
      const { trace, docs } = timedFetch((m0 + m) * 60 + i * 2.5, i < failing ? failure : 'none');
      datagrams.push(...docs.map((d) => datagram(d)));
      last = trace;
    }
    await tc.send(...datagrams);
    await tc.waitForTrace(last, (tr) => tr.segments.length === 2);
  }
  const window = { StartTime: new Date((m0 - 5) * 60_000), EndTime: new Date(Date.now()) };

  const summaries = await xray.send(new GetInsightSummariesCommand(window));
  const [active, closed, ...more] = summaries.InsightSummaries!;
  assert.equal(more.length, 0, JSON.stringify(summaries.InsightSummaries));

  await t.test('GetInsightSummaries: the archiver outage CLOSED, the upstream one ACTIVE', async () => {
    assert.equal(closed!.State, 'CLOSED');
    assert.deepEqual(closed!.Categories, ['FAULT']);
    assert.equal(closed!.GroupName, 'Default');
    assert.equal(closed!.GroupARN, 'arn:aws:xray:local:000000000000:group/Default');
    assert.deepEqual(closed!.RootCauseServiceId, { Name: 'archiver', Names: ['archiver'], Type: 'service' });
    assert.equal(closed!.StartTime!.getTime(), (m0 + 10) * 60_000);
    assert.equal(closed!.EndTime!.getTime(), (m0 + 11) * 60_000);
    assert.deepEqual(closed!.ClientRequestImpactStatistics, { FaultCount: 12, OkCount: 8, TotalCount: 20 });
    assert.deepEqual(closed!.RootCauseServiceRequestImpactStatistics, { FaultCount: 12, OkCount: 8, TotalCount: 20 });
    assert.deepEqual(closed!.TopAnomalousServices, [{ ServiceId: { Name: 'archiver', Names: ['archiver'], Type: 'service' } }]);
    assert.match(closed!.Summary!, /60\.0%.*baseline 5\.0%.*archiver/);
    assert.equal(active!.State, 'ACTIVE');
    assert.equal(active!.EndTime, undefined);
    assert.deepEqual(active!.RootCauseServiceId, { Name: 'example.test', Names: ['example.test'], Type: 'remote' });
    assert.equal(active!.StartTime!.getTime(), (m0 + 15) * 60_000);
    assert.deepEqual(active!.ClientRequestImpactStatistics, { FaultCount: 10, OkCount: 10, TotalCount: 20 });
    const onlyClosed = await xray.send(new GetInsightSummariesCommand({ ...window, States: ['CLOSED'], GroupName: 'Default' }));
    assert.deepEqual(onlyClosed.InsightSummaries!.map((s) => s.InsightId), [closed!.InsightId]);
    const paged = await xray.send(new GetInsightSummariesCommand({ ...window, MaxResults: 1 }));
    assert.equal(paged.InsightSummaries!.length, 1);
    const rest = await xray.send(new GetInsightSummariesCommand({ ...window, MaxResults: 1, NextToken: paged.NextToken }));
    assert.deepEqual(rest.InsightSummaries!.map((s) => s.InsightId), [closed!.InsightId]);
    assert.equal(rest.NextToken, undefined);
    await assert.rejects(xray.send(new GetInsightSummariesCommand({ ...window, GroupName: 'NoSuchGroup' })), { name: 'InvalidRequestException' });
  });

  await t.test('GetInsight: the same insight by id; an unknown id is ResourceNotFoundException', async () => {
    const { Insight } = await xray.send(new GetInsightCommand({ InsightId: closed!.InsightId }));
    assert.equal(Insight!.InsightId, closed!.InsightId);
    assert.equal(Insight!.State, 'CLOSED');
    assert.deepEqual(Insight!.RootCauseServiceId, closed!.RootCauseServiceId);
    await assert.rejects(xray.send(new GetInsightCommand({ InsightId: '00000000-0000-0000-0000-000000000000' })), (err: any) => {
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.$metadata.httpStatusCode, 404);
      return true;
    });
  });

  await t.test('GetInsightEvents: opened, then closed when the rate came back', async () => {
    const { InsightEvents } = await xray.send(new GetInsightEventsCommand({ InsightId: closed!.InsightId }));
    assert.equal(InsightEvents!.length, 2);
    assert.equal(InsightEvents![0]!.EventTime!.getTime(), (m0 + 11) * 60_000);
    assert.deepEqual(InsightEvents![0]!.ClientRequestImpactStatistics, { FaultCount: 12, OkCount: 8, TotalCount: 20 });
    assert.match(InsightEvents![1]!.Summary!, /back to 5\.0%/);
    assert.deepEqual(InsightEvents![1]!.ClientRequestImpactStatistics, { FaultCount: 1, OkCount: 19, TotalCount: 20 });
    await assert.rejects(xray.send(new GetInsightEventsCommand({ InsightId: closed!.InsightId, MaxResults: 51 })), { name: 'InvalidRequestException' });
  });

  await t.test('GetInsightImpactGraph: the services the group\'s traces touched in the window', async () => {
    const start = closed!.StartTime!;
    const end = closed!.EndTime!;
    const out = await xray.send(new GetInsightImpactGraphCommand({ InsightId: closed!.InsightId, StartTime: start, EndTime: end }));
    assert.equal(out.InsightId, closed!.InsightId);
    assert.equal(out.StartTime!.getTime(), start.getTime());
    const byName = new Map(out.Services!.map((s) => [s.Name ?? 'client', s]));
    assert.deepEqual([...byName.keys()].sort(), ['archiver', 'client', 'example.test', 'fetcher']);
    const fetcher = byName.get('fetcher')!;
    const targets = fetcher.Edges!.map((e) => out.Services!.find((s) => s.ReferenceId === e.ReferenceId)!.Name).sort();
    assert.deepEqual(targets, ['archiver', 'example.test']);
    assert.deepEqual(fetcher.Names, ['fetcher']);
    assert.equal(fetcher.Type, 'service');
    await assert.rejects(xray.send(new GetInsightImpactGraphCommand({ InsightId: closed!.InsightId, StartTime: end, EndTime: start })), { name: 'InvalidRequestException' });
  });
});
