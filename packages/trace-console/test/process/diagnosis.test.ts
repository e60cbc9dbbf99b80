/**
 * `GET /api/traces/{id}/diagnosis` against the real trace-console process fed over UDP:
 * a whole trace has no findings; a missing caller, a missing downstream, clock skew, an
 * in-progress segment, a sampling decision that changed (ADOT T1U spans from the callee),
 * an oversized document, a late arrival and an id nothing mentioned each get their finding.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { context, SpanKind, trace as otelTrace, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { adotDatagram } from '../otlp/sdk-spans.ts';
import { datagram, fetchTrace, otelTraceId, segment, spanId, traceId, xrayId } from '../fixtures.ts';

/**
 * A server span of `service` called from `parentSpanId` of trace `otelId`, made by the real
 * SDK (recorded, so the in-memory exporter gets it; the T1U prefix marks it unsampled, as
 * ADOT's Application Signals exporter sends spans the sampler dropped).
 */
function calleeSpans(service: string, otelId: string, parentSpanId: string) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const remote = otelTrace.setSpanContext(context.active(), { traceId: otelId, spanId: parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  provider.getTracer('diagnosis-test').startSpan('POST /archive', { kind: SpanKind.SERVER }, remote).end();
  return exporter.getFinishedSpans();
}

test('trace diagnosis', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), args: ['--settle', '300ms'] });
  const diagnosis = async (id: string) => {
    const { status, json } = await tc.get(`/api/traces/${id}/diagnosis`);
    assert.equal(status, 200, JSON.stringify(json));
    return json;
  };
  const kinds = (d: any) => d.findings.map((f: any) => f.kind).sort();

  await t.test('a whole trace: nothing wrong', async () => {
    const f = fetchTrace();
    await tc.send(datagram(f.fetcher), datagram(f.archiver));
    await tc.waitForTrace(f.trace, (tr) => tr.segments.length === 2);
    const d = await diagnosis(f.trace);
    assert.equal(d.stored, true);
    assert.deepEqual(d.findings, []);
    assert.match(d.summary, /^Nothing wrong/);
  });

  await t.test('the caller never sent its segment: the parent id and who should send it', async () => {
    const f = fetchTrace();
    await tc.send(datagram(f.archiver));
    await tc.waitForTrace(f.trace);
    const d = await diagnosis(f.trace);
    const missing = d.findings.find((x: any) => x.kind === 'missing_parent');
    assert.ok(missing, JSON.stringify(d));
    assert.equal(missing.span, f.archiver.id);
    assert.ok(missing.evidence.some((e: string) => e.includes(f.ids.archiverCall)), missing.evidence.join('\n'));
    assert.match(missing.fix, /called archiver should send its segment/);
  });

  await t.test('a traced call with no downstream segment names the service that should have sent it', async () => {
    const f = fetchTrace();
    await tc.send(datagram(f.fetcher));
    await tc.waitForTrace(f.trace);
    const d = await diagnosis(f.trace);
    const down = d.findings.find((x: any) => x.kind === 'missing_downstream');
    assert.equal(down?.service, 'archiver', JSON.stringify(d));
    assert.equal(down.span, f.ids.archiverCall);
  });

  await t.test('calls sent as independent subsegments do not make their hosts services that should answer', async () => {
    // As one-document-per-span exporters send them: the upstream GET on its own, from a
    // different trace's sender (so its host would be a "service this console has seen").
    const other = fetchTrace({ host: 'uninstrumented.test' });
    const [upstream, call] = other.fetcher.subsegments;
    const alone = (sub: object) => ({ ...sub, type: 'subsegment', trace_id: other.trace, parent_id: other.fetcher.id });
    await tc.send(datagram({ ...other.fetcher, subsegments: [] }), datagram(alone(upstream!)), datagram(alone(call!)), datagram(other.archiver));
    await tc.waitForTrace(other.trace, (tr) => tr.segments.length === 4);
    const f = fetchTrace({ host: 'uninstrumented.test' });
    await tc.send(datagram(f.fetcher), datagram(f.archiver));
    await tc.waitForTrace(f.trace, (tr) => tr.segments.length === 2);
    assert.deepEqual((await diagnosis(f.trace)).findings, []);
    const { json } = await tc.get('/api/diagnostics');
    const services = json.senders.flatMap((x: any) => x.services);
    assert.ok(services.includes('fetcher') && !services.includes('uninstrumented.test'), services.join());
  });

  await t.test('a callee starting before its caller is clock skew, with the offset', async () => {
    const f = fetchTrace();
    const call = f.fetcher.subsegments[1]!;
    const skewed = { ...f.archiver, start_time: call.start_time - 0.05, end_time: call.start_time + 0.1 };
    await tc.send(datagram(f.fetcher), datagram(skewed));
    await tc.waitForTrace(f.trace, (tr) => tr.segments.length === 2);
    const d = await diagnosis(f.trace);
    assert.deepEqual(kinds(d), ['clock_skew']);
    assert.ok(Math.abs(d.findings[0].offset_ms - 50) < 0.01, String(d.findings[0].offset_ms));
    assert.match(d.findings[0].fix, /synchronise the clocks/);
  });

  await t.test('a child sticking out of its parent by the SDK\'s millisecond starts is explained as such; finer times are not excused', async () => {
    const t0 = Math.floor(Date.now() / 1000) - 2;
    const wholeId = traceId();
    const whole = { ...segment(wholeId, { name: 'fetcher', start_time: t0 + 0.1, end_time: t0 + 0.1014 }), subsegments: [{ id: spanId(), name: 'work', start_time: t0 + 0.101, end_time: t0 + 0.1028 }] };
    await tc.send(datagram(whole));
    await tc.waitForTrace(wholeId);
    const d = await diagnosis(wholeId);
    assert.deepEqual(d.findings.map((f: any) => `${f.kind}:${f.severity}`), ['clock_skew:info'], JSON.stringify(d));
    assert.match(d.findings[0].fix, /PreciseTimeSpanProcessor/);
    assert.ok(Math.abs(d.findings[0].offset_ms - 1.4) < 0.01, String(d.findings[0].offset_ms));
    // The same 1.4 ms with sub-millisecond starts is no rounding: the parent ended before its child.
    const fineId = traceId();
    const fine = { ...segment(fineId, { name: 'fetcher', start_time: t0 + 0.1003, end_time: t0 + 0.1017 }), subsegments: [{ id: spanId(), name: 'work', start_time: t0 + 0.1013, end_time: t0 + 0.1031 }] };
    await tc.send(datagram(fine));
    await tc.waitForTrace(fineId);
    const f = (await diagnosis(fineId)).findings;
    assert.deepEqual(f.map((x: any) => `${x.kind}:${x.severity}`), ['clock_skew:warning']);
    assert.match(f[0].fix, /end the child first/);
  });

  await t.test('a segment left in progress', async () => {
    const tr = traceId();
    const open: Record<string, unknown> = { ...segment(tr), end_time: undefined, in_progress: true };
    await tc.send(datagram(open));
    await tc.waitForTrace(tr);
    const d = await diagnosis(tr);
    assert.deepEqual(kinds(d), ['in_progress']);
    assert.equal(d.findings[0].span, open.id);
  });

  await t.test('the callee sent Sampled=0 spans under a sampled caller: where the decision changed', async () => {
    const otelId = otelTraceId();
    const tr = xrayId(otelId);
    const callId = spanId();
    const t0 = Date.now() / 1000 - 1;
    const caller = { ...segment(tr, { name: 'fetcher' }), subsegments: [{ id: callId, name: 'archiver', namespace: 'remote', start_time: t0 + 0.1, end_time: t0 + 0.2, http: { request: { method: 'POST', url: 'http://127.0.0.1:9/archive' } } }] };
    await tc.send(datagram(caller), Buffer.from(adotDatagram(calleeSpans('archiver', otelId, callId), 'T1U')));
    await tc.waitForTrace(tr);
    let d: any;
    for (let i = 0; i < 100 && !(d?.events.length > 0); i++) d = await diagnosis(tr);
    const change = d.findings.find((x: any) => x.kind === 'sampling_changed');
    assert.ok(change, JSON.stringify(d));
    assert.equal(change.span, callId);
    assert.equal(change.service, 'archiver');
    assert.match(change.title, /fetcher → archiver/);
    assert.ok(d.events.some((e: any) => e.kind === 'unsampled' && e.parent === callId));
  });

  await t.test('an id that never arrived: the refused oversized document says what happened', async () => {
    const tr = traceId();
    const big = segment(tr, { metadata: { default: { blob: 'x'.repeat(64_500) } } });
    const sender = await tc.send(datagram(big));
    let d: any;
    for (let i = 0; i < 100 && !(d?.events.length > 0); i++) d = await diagnosis(tr);
    assert.equal(d.stored, false);
    assert.deepEqual(kinds(d), ['not_received', 'refused']);
    const refused = d.findings.find((x: any) => x.kind === 'refused');
    assert.match(refused.title, /size/);
    assert.ok(refused.evidence[0].includes(sender), refused.evidence[0]);
    assert.equal(d.events[0].kind, 'oversized');
  });

  await t.test('an id nothing mentioned; a non-X-Ray id', async () => {
    const d = await diagnosis(traceId());
    assert.deepEqual(kinds(d), ['not_received']);
    assert.match(d.findings[0].evidence[1], /no datagram or document/);
    const otel = otelTraceId();
    const bad = await diagnosis(otel);
    assert.equal(bad.findings[0].kind, 'invalid_id');
    assert.match(bad.findings[0].fix, new RegExp(xrayId(otel)));
  });

  await t.test('a document arriving after the settle window is reported late', async () => {
    const f = fetchTrace();
    await tc.send(datagram(f.fetcher));
    await tc.waitForTrace(f.trace);
    await new Promise((r) => setTimeout(r, 450));
    await tc.send(datagram(f.archiver));
    await tc.waitForTrace(f.trace, (tr) => tr.segments.length === 2);
    const d = await diagnosis(f.trace);
    const late = d.findings.find((x: any) => x.kind === 'late');
    assert.equal(late?.service, 'archiver', JSON.stringify(d));
    assert.match(late.evidence[0], /past the 300 ms settle window/);
  });

  await t.test('diagnostics names senders by their services and gives a rate', async () => {
    const { json } = await tc.get('/api/diagnostics');
    const s = json.senders.find((x: any) => x.services.includes('fetcher'));
    assert.ok(s, JSON.stringify(json.senders));
    assert.equal(typeof s.per_minute, 'number');
    assert.ok(s.per_minute > 0);
  });
});
