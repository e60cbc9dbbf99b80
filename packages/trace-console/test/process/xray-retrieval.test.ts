/** Trace retrieval (StartTraceRetrieval … CancelTraceRetrieval) through AWS's SDK against a real trace-console. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  CancelTraceRetrievalCommand,
  GetRetrievedTracesGraphCommand,
  ListRetrievedTracesCommand,
  StartTraceRetrievalCommand,
  XRayClient,
  type ListRetrievedTracesCommandOutput,
} from '@aws-sdk/client-xray';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { datagram, fetchTrace, traceId } from '../fixtures.ts';

const client = (url: string) => new XRayClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });

test('trace retrieval answers AWS SDK calls in XRAY and OTEL form', async (t) => {
  const dir = tempDir(t);
  const tc = await startConsole(t, { db: join(dir, 'traces.db') });
  const xray = client(tc.url);
  t.after(() => xray.destroy());
  const { trace, fetcher, archiver, ids } = fetchTrace({ status: 502, upstreamStatus: 503 });
  const linked = traceId();
  await tc.send(datagram(fetcher), datagram({ ...archiver, links: [{ trace_id: linked, id: 'a1b2c3d4e5f60718' }] }));
  await tc.waitForTrace(trace, (tr) => tr.segments.length === 2);
  const window = { StartTime: new Date((fetcher.start_time - 60) * 1000), EndTime: new Date((fetcher.start_time + 60) * 1000) };
  const started = await xray.send(new StartTraceRetrievalCommand({ TraceIds: [trace, traceId()], ...window }));
  const token = started.RetrievalToken!;
  assert.match(token, /^[\w-]{20,}$/);

  const complete = async (format: 'XRAY' | 'OTEL'): Promise<ListRetrievedTracesCommandOutput> => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const out = await xray.send(new ListRetrievedTracesCommand({ RetrievalToken: token, TraceFormat: format }));
      seen.add(out.RetrievalStatus!);
      if (out.RetrievalStatus === 'COMPLETE') return out;
      assert.deepEqual(out.Traces, []);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`retrieval not complete; statuses seen ${[...seen]}`);
  };

  await t.test('StartTraceRetrieval → SCHEDULED, then ListRetrievedTraces (XRAY) once COMPLETE', async () => {
    const first = await xray.send(new ListRetrievedTracesCommand({ RetrievalToken: token }));
    assert.equal(first.RetrievalStatus, 'SCHEDULED');
    const out = await complete('XRAY');
    assert.equal(out.TraceFormat, 'XRAY');
    assert.equal(out.Traces!.length, 1, 'the unknown trace id retrieves nothing');
    const tr = out.Traces![0]!;
    assert.equal(tr.Id, trace);
    assert.ok(Math.abs(tr.Duration! - 0.5) < 1e-6);
    const docs = tr.Spans!.map((s) => ({ id: s.Id, doc: JSON.parse(s.Document!) }));
    assert.deepEqual(docs.map((d) => d.doc.name).sort(), ['archiver', 'example.test', 'fetcher']);
    for (const d of docs) assert.equal(d.id, d.doc.id);
    assert.equal(docs.find((d) => d.doc.name === 'example.test')!.doc.inferred, true);
    await assert.rejects(xray.send(new StartTraceRetrievalCommand({ TraceIds: [], ...window })), { name: 'InvalidRequestException' });
  });

  await t.test('ListRetrievedTraces (OTEL): one OTLP/JSON document per span that an OTLP receiver takes back', async () => {
    const out = await complete('OTEL');
    assert.equal(out.TraceFormat, 'OTEL');
    const spans = out.Traces![0]!.Spans!;
    // fetcher, its two subsegments and archiver; not the inferred example.test segment.
    assert.equal(spans.length, 4);
    const parsed = spans.map((s) => ({ id: s.Id, req: JSON.parse(s.Document!) }));
    const span = (name: string) => parsed.map((p) => p.req.resourceSpans[0].scopeSpans[0].spans[0]).find((s) => s.name === name && s.kind !== 1);
    const root = span('fetcher');
    assert.equal(root.traceId, trace.slice(2).replace('-', ''));
    assert.equal(root.spanId, ids.fetcherId);
    assert.equal(root.parentSpanId, undefined);
    assert.equal(root.kind, 2);
    assert.equal(root.startTimeUnixNano, String(BigInt(Math.round(fetcher.start_time * 1e6)) * 1000n));
    assert.deepEqual(root.status, { code: 2 });
    assert.deepEqual(root.attributes.find((a: any) => a.key === 'http.response.status_code'), { key: 'http.response.status_code', value: { intValue: '502' } });
    const archiverSpan = parsed.find((p) => p.id === archiver.id)!.req.resourceSpans[0];
    assert.deepEqual(archiverSpan.resource.attributes[0], { key: 'service.name', value: { stringValue: 'archiver' } });
    assert.equal(archiverSpan.scopeSpans[0].spans[0].parentSpanId, ids.archiverCall);
    const call = parsed.find((p) => p.id === ids.archiverCall)!.req.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(call.kind, 3);
    assert.equal(call.parentSpanId, ids.fetcherId);
    assert.ok(parsed.every((p) => p.id === p.req.resourceSpans[0].scopeSpans[0].spans[0].spanId));

    // Every document is valid OTLP/JSON: a second console's /v1/traces takes them all.
    const other = await startConsole(t, { db: join(dir, 'other.db') });
    for (const p of parsed) {
      const res = await fetch(`${other.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p.req) });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {}, 'no partial success: every span accepted');
    }
    const back = await other.waitForTrace(trace, (tr) => ['fetcher', 'archiver'].every((n) => tr.segments.some((s: any) => s.name === n)));
    assert.equal(back.segments.find((s: any) => s.name === 'archiver').parent_id, ids.archiverCall);
  });

  await t.test('GetRetrievedTracesGraph: the services of the retrieved traces', async () => {
    const out = await xray.send(new GetRetrievedTracesGraphCommand({ RetrievalToken: token }));
    assert.equal(out.RetrievalStatus, 'COMPLETE');
    const names = out.Services!.map((s) => s.Service!.Name).filter(Boolean).sort();
    assert.deepEqual(names, ['archiver', 'example.test', 'fetcher']);
    const fetcherService = out.Services!.find((s) => s.Service!.Name === 'fetcher')!;
    assert.equal(fetcherService.Service!.Edges!.length, 2);
    assert.deepEqual(fetcherService.Links, []);
    const archiverService = out.Services!.find((s) => s.Service!.Name === 'archiver')!;
    assert.deepEqual(archiverService.Links, [{ ReferenceType: 'child', SourceTraceId: trace, DestinationTraceIds: [linked] }]);
    await assert.rejects(xray.send(new GetRetrievedTracesGraphCommand({ RetrievalToken: 'no-such-token' })), (err: any) => {
      assert.equal(err.name, 'ResourceNotFoundException');
      assert.equal(err.$metadata.httpStatusCode, 404);
      return true;
    });
  });

  await t.test('CancelTraceRetrieval: a scheduled retrieval ends CANCELLED; a complete one cannot be cancelled', async () => {
    const { RetrievalToken } = await xray.send(new StartTraceRetrievalCommand({ TraceIds: [trace], ...window }));
    await xray.send(new CancelTraceRetrievalCommand({ RetrievalToken }));
    // The same trace by its W3C id, not cancelled.
    const w3c = await xray.send(new StartTraceRetrievalCommand({ TraceIds: [trace.slice(2).replace('-', '')], ...window }));
    await new Promise((r) => setTimeout(r, 1500)); // past the moment they would have run
    const out = await xray.send(new ListRetrievedTracesCommand({ RetrievalToken }));
    assert.equal(out.RetrievalStatus, 'CANCELLED');
    assert.deepEqual(out.Traces, []);
    const kept = await xray.send(new ListRetrievedTracesCommand({ RetrievalToken: w3c.RetrievalToken }));
    assert.equal(kept.RetrievalStatus, 'COMPLETE');
    assert.deepEqual(kept.Traces!.map((x) => x.Id), [trace]);
    await assert.rejects(xray.send(new CancelTraceRetrievalCommand({ RetrievalToken: token })), (err: any) => {
      assert.equal(err.name, 'InvalidRequestException');
      assert.match(err.message, /COMPLETE/);
      return true;
    });
    await assert.rejects(xray.send(new ListRetrievedTracesCommand({ RetrievalToken: 'no-such-token' })), { name: 'ResourceNotFoundException' });
  });

  await t.test('errors carry __type in the body and X-Amzn-ErrorType', async () => {
    const res = await fetch(`${tc.url}/ListRetrievedTraces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ RetrievalToken: token, TraceFormat: 'ZIPKIN' }) });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'InvalidRequestException');
    assert.deepEqual(await res.json(), { __type: 'InvalidRequestException', Message: 'TraceFormat must be XRAY or OTEL' });
  });
});
