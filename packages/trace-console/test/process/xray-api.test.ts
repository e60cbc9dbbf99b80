/** The X-Ray service API on the console's TCP port, driven by AWS's own SDK client. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  BatchGetTracesCommand,
  GetSamplingRulesCommand,
  GetSamplingTargetsCommand,
  GetServiceGraphCommand,
  GetTraceGraphCommand,
  GetTraceSummariesCommand,
  PutTraceSegmentsCommand,
  XRayClient,
} from '@aws-sdk/client-xray';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { fetchTrace, segment, traceId } from '../fixtures.ts';

test('the X-Ray API answers AWS SDK calls', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db') });
  const client = new XRayClient({ endpoint: tc.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
  t.after(() => client.destroy());
  const { trace, fetcher, archiver } = fetchTrace({ status: 502, upstreamStatus: 503 });
  const window = { StartTime: new Date((fetcher.start_time - 60) * 1000), EndTime: new Date((fetcher.start_time + 60) * 1000) };

  await t.test('PutTraceSegments stores good documents and reports bad ones', async () => {
    const bad = segment(`1-00000001-${'0'.repeat(24)}`);
    const out = await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [JSON.stringify(fetcher), JSON.stringify(archiver), JSON.stringify(bad), '{"id":"x"'] }));
    assert.equal(out.UnprocessedTraceSegments?.length, 2);
    assert.deepEqual(out.UnprocessedTraceSegments![0], { Id: bad.id, ErrorCode: 'InvalidTraceId', Message: out.UnprocessedTraceSegments![0]!.Message });
    assert.equal(out.UnprocessedTraceSegments![1]!.ErrorCode, 'InvalidSegmentDocument');
    await tc.waitForTrace(trace, (tr) => tr.segments.length === 2);
  });

  await t.test('GetTraceSummaries with a FilterExpression', async () => {
    const other = fetchTrace();
    await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [JSON.stringify(other.fetcher)] }));
    await tc.waitForTrace(other.trace);
    const out = await client.send(new GetTraceSummariesCommand({ ...window, FilterExpression: 'service("archiver") AND fault' }));
    assert.deepEqual(out.TraceSummaries!.map((s) => s.Id), [trace]);
    const s = out.TraceSummaries![0]!;
    assert.equal(s.HasFault, true);
    assert.equal(s.HasError, false);
    assert.equal(s.IsPartial, false);
    assert.ok(s.StartTime instanceof Date && Math.abs(s.StartTime.getTime() / 1000 - fetcher.start_time) < 0.001);
    assert.ok(Math.abs(s.Duration! - 0.5) < 1e-6);
    assert.ok(Math.abs(s.ResponseTime! - 0.5) < 1e-6);
    assert.deepEqual(s.Http, { HttpURL: fetcher.http.request.url, HttpStatus: 502, HttpMethod: 'GET' });
    assert.deepEqual(s.Annotations!.remote_status, [{ AnnotationValue: { NumberValue: 503 }, ServiceIds: [{ Name: 'fetcher', Names: ['fetcher'], Type: 'service' }] }]);
    assert.deepEqual(s.EntryPoint, { Name: 'fetcher', Names: ['fetcher'], Type: 'service' });
    assert.deepEqual(s.ServiceIds!.map((x) => x.Name).sort(), ['archiver', 'example.test', 'fetcher']);
    const all = await client.send(new GetTraceSummariesCommand(window));
    assert.ok(all.TraceSummaries!.length >= 2);
    await assert.rejects(client.send(new GetTraceSummariesCommand({ ...window, FilterExpression: 'http.status >' })), (err: any) => {
      assert.equal(err.name, 'InvalidRequestException');
      assert.match(err.message, /position 13/);
      return true;
    });
  });

  await t.test('GetTraceSummaries pages with NextToken, newest first', async () => {
    const batch = `b${Date.now()}`;
    const docs = Array.from({ length: 105 }, (_, i) => JSON.stringify(segment(traceId(), { start_time: fetcher.start_time - i / 1000, end_time: fetcher.start_time + 0.1, annotations: { batch } })));
    const put = await client.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: docs }));
    assert.deepEqual(put.UnprocessedTraceSegments, []);
    const ids = docs.map((d) => JSON.parse(d).trace_id as string);
    await tc.waitForTrace(ids.at(-1)!);
    const seen: string[] = [];
    const tokens: (string | undefined)[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new GetTraceSummariesCommand({ ...window, FilterExpression: `annotation.batch = "${batch}"`, NextToken }));
      seen.push(...page.TraceSummaries!.map((s) => s.Id!));
      NextToken = page.NextToken;
      tokens.push(NextToken);
    } while (NextToken);
    assert.equal(tokens.length, 2);
    assert.deepEqual(seen, ids);
  });

  await t.test('BatchGetTraces returns documents as JSON strings; 6 ids is an InvalidRequestException', async () => {
    const unknown = traceId();
    const out = await client.send(new BatchGetTracesCommand({ TraceIds: [trace, unknown] }));
    assert.deepEqual(out.UnprocessedTraceIds, [unknown]);
    const got = out.Traces![0]!;
    assert.equal(got.Id, trace);
    const docs = got.Segments!.map((s) => JSON.parse(s.Document!));
    assert.deepEqual(got.Segments!.map((s) => s.Id), docs.map((d) => d.id));
    // Processed form: the two segments plus an inferred segment for the unanswered upstream call.
    assert.deepEqual(docs.find((d) => d.name === 'archiver'), archiver);
    assert.deepEqual(docs.find((d) => d.name === 'fetcher'), JSON.parse(JSON.stringify(fetcher)));
    const inferred = docs.filter((d) => d.inferred === true);
    assert.equal(inferred.length, 1);
    assert.deepEqual(
      { name: inferred[0].name, parent_id: inferred[0].parent_id, trace_id: inferred[0].trace_id, fault: inferred[0].fault, status: inferred[0].http.response.status },
      { name: 'example.test', parent_id: fetcher.subsegments[0]!.id, trace_id: trace, fault: true, status: 503 },
    );
    await assert.rejects(client.send(new BatchGetTracesCommand({ TraceIds: Array.from({ length: 6 }, () => traceId()) })), { name: 'InvalidRequestException' });
  });

  await t.test('GetServiceGraph and GetTraceGraph', async () => {
    const graph = await client.send(new GetServiceGraphCommand(window));
    const byName = new Map(graph.Services!.map((s) => [s.Name ?? s.Type, s]));
    const fetcherNode = byName.get('fetcher')!;
    const client_ = byName.get('client')!;
    assert.equal(client_.Type, 'client');
    assert.ok(client_.Edges!.some((e) => e.ReferenceId === fetcherNode.ReferenceId));
    const targets = fetcherNode.Edges!.map((e) => graph.Services!.find((s) => s.ReferenceId === e.ReferenceId)!);
    // The second trace sent no archiver segment, so there its archiver call is an inferred remote node.
    assert.deepEqual(targets.map((s) => `${s.Name}:${s.Type}`).sort(), ['archiver:remote', 'archiver:service', 'example.test:remote']);
    const toUpstream = fetcherNode.Edges!.find((e) => graph.Services!.find((s) => s.ReferenceId === e.ReferenceId)!.Name === 'example.test')!;
    assert.equal(toUpstream.SummaryStatistics!.FaultStatistics!.TotalCount, 1);
    assert.ok(toUpstream.ResponseTimeHistogram!.length >= 1);
    assert.ok(graph.StartTime instanceof Date);
    const traceGraph = await client.send(new GetTraceGraphCommand({ TraceIds: [trace] }));
    assert.deepEqual(traceGraph.Services!.map((s) => s.Name ?? s.Type).sort(), ['archiver', 'client', 'example.test', 'fetcher']);
    await assert.rejects(client.send(new GetTraceGraphCommand({ TraceIds: [] })), { name: 'InvalidRequestException' });
  });

  await t.test('GetSamplingRules and GetSamplingTargets come from the sampling service', async () => {
    const rules = await client.send(new GetSamplingRulesCommand({}));
    const rule = rules.SamplingRuleRecords![0]!.SamplingRule!;
    assert.equal(rule.RuleName, 'Default');
    assert.equal(rule.Priority, 10000);
    const targets = await client.send(
      new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [{ RuleName: 'Default', ClientID: 'a'.repeat(24), Timestamp: new Date(), RequestCount: 3, SampledCount: 1, BorrowCount: 0 }] }),
    );
    assert.ok(targets.LastRuleModification instanceof Date);
    assert.equal(targets.SamplingTargetDocuments![0]!.RuleName, 'Default');
  });

  await t.test('errors carry X-Amzn-Errortype and {__type, Message}', async () => {
    const res = await fetch(`${tc.url}/TraceSummaries`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidRequestException');
    assert.deepEqual(await res.json(), { __type: 'InvalidRequestException', Message: 'StartTime is required' });
    const broken = await fetch(`${tc.url}/Traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    assert.equal(broken.status, 400);
    assert.equal((await broken.json()).__type, 'InvalidRequestException');
  });
});
