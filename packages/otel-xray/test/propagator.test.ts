/** `X-Amzn-Trace-Id` propagation and the deferred-sampling sampler (XRAY-REFERENCE §1.3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AlwaysOffSampler, AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { AWSXRayPropagator, formatTraceHeader, isDeferredSampling } from '../src/propagator.ts';
import { deferredDecisionSampler } from '../src/sampler.ts';
import { XRayIdGenerator } from '../src/ids.ts';
import { getPendingRoot } from '../src/root-context.ts';

const propagator = new AWSXRayPropagator();
const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE = '5759e988bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

const extract = (headers: Record<string, string>, ctx: Context = ROOT_CONTEXT): Context => propagator.extract(ctx, headers, defaultTextMapGetter);

type Outcome =
  | { kind: 'none' }
  | { kind: 'span'; sampled: boolean; deferred: boolean }
  | { kind: 'pending'; sampled: boolean | undefined };

const extractCases: Array<[string, Record<string, string>, Outcome]> = [
  ['Root;Parent;Sampled=1', { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1` }, { kind: 'span', sampled: true, deferred: false }],
  ['Sampled=0', { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=0` }, { kind: 'span', sampled: false, deferred: false }],
  ['Sampled=? → deferred', { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=?` }, { kind: 'span', sampled: false, deferred: true }],
  ['Sampled absent → deferred', { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT}` }, { kind: 'span', sampled: false, deferred: true }],
  ['keys case-insensitive, spaces, any order', { 'x-amzn-trace-id': ` sampled=1 ; PARENT=${PARENT};  root = ${ROOT} ` }, { kind: 'span', sampled: true, deferred: false }],
  ['canonical header name on a plain object', { 'X-Amzn-Trace-Id': `Root=${ROOT};Parent=${PARENT};Sampled=1` }, { kind: 'span', sampled: true, deferred: false }],
  ['extra fields (Self, Lineage, custom) ignored', { 'x-amzn-trace-id': `Self=1-67891233-abcdef012345678912345678;Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=a87bd80c:1|68fd508a:5;CalledFrom=app` }, { kind: 'span', sampled: true, deferred: false }],
  ['first Root wins over an appended one', { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1;Root=1-11111111-111111111111111111111111` }, { kind: 'span', sampled: true, deferred: false }],
  ['Root only (ALB first hop) → pending root', { 'x-amzn-trace-id': `Root=${ROOT}` }, { kind: 'pending', sampled: undefined }],
  ['Root + Sampled=1, no Parent → pending root, sampled', { 'x-amzn-trace-id': `Root=${ROOT};Sampled=1` }, { kind: 'pending', sampled: true }],
  ['bad Parent (15 hex) → pending root', { 'x-amzn-trace-id': `Root=${ROOT};Parent=53995c3f42cd8ad;Sampled=1` }, { kind: 'pending', sampled: true }],
  ['zero Parent → pending root', { 'x-amzn-trace-id': `Root=${ROOT};Parent=0000000000000000;Sampled=1` }, { kind: 'pending', sampled: true }],
  ['bad Root (version 2) → nothing', { 'x-amzn-trace-id': `Root=2-5759e988-bd862e3fe1be46a994272793;Parent=${PARENT};Sampled=1` }, { kind: 'none' }],
  ['bad Root (short) → nothing', { 'x-amzn-trace-id': `Root=1-5759e988-bd862e3fe1be46a99427279;Parent=${PARENT};Sampled=1` }, { kind: 'none' }],
  ['bad Root (uppercase) → nothing', { 'x-amzn-trace-id': `Root=${ROOT.toUpperCase()};Parent=${PARENT};Sampled=1` }, { kind: 'none' }],
  ['no Root → nothing', { 'x-amzn-trace-id': `Parent=${PARENT};Sampled=1` }, { kind: 'none' }],
  ['garbage → nothing', { 'x-amzn-trace-id': 'garbage;;==;' }, { kind: 'none' }],
  ['no header → nothing', {}, { kind: 'none' }],
];

for (const [name, headers, outcome] of extractCases) {
  test(`propagator extract: ${name}`, () => {
    const ctx = extract(headers);
    const sc = trace.getSpanContext(ctx);
    const pending = getPendingRoot(ctx);
    if (outcome.kind === 'none') {
      assert.equal(sc, undefined);
      assert.equal(pending, undefined);
    } else if (outcome.kind === 'span') {
      assert.ok(sc);
      assert.equal(sc.traceId, TRACE);
      assert.equal(sc.spanId, PARENT);
      assert.equal(sc.isRemote, true);
      assert.equal(sc.traceFlags, outcome.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE);
      assert.equal(isDeferredSampling(sc), outcome.deferred);
      if (outcome.deferred) assert.equal(sc.traceState?.serialize(), 'xray=deferred');
    } else {
      assert.equal(sc, undefined);
      assert.equal(pending?.traceId, TRACE);
      assert.equal(pending?.sampled, outcome.sampled);
    }
  });
}

test('propagator: Root-only does not replace a valid traceparent extracted first', () => {
  const composite = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), propagator] });
  const ctx = composite.extract(ROOT_CONTEXT, {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    'x-amzn-trace-id': `Root=${ROOT}`,
  }, defaultTextMapGetter);
  assert.equal(trace.getSpanContext(ctx)?.traceId, '0af7651916cd43dd8448eb211c80319c');
});

const injectCases: Array<[string, SpanContext, string | undefined]> = [
  ['sampled', { traceId: TRACE, spanId: PARENT, traceFlags: TraceFlags.SAMPLED }, `Root=${ROOT};Parent=${PARENT};Sampled=1`],
  ['not sampled', { traceId: TRACE, spanId: PARENT, traceFlags: TraceFlags.NONE }, `Root=${ROOT};Parent=${PARENT};Sampled=0`],
  ['invalid context → nothing', { traceId: '0'.repeat(32), spanId: PARENT, traceFlags: 1 }, undefined],
];

for (const [name, sc, header] of injectCases) {
  test(`propagator inject: ${name}`, () => {
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpanContext(ROOT_CONTEXT, sc), carrier, defaultTextMapSetter);
    assert.deepEqual(carrier, header === undefined ? {} : { 'x-amzn-trace-id': header });
  });
}

test('propagator: inject then extract round-trips; fields() names the header', () => {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: PARENT, traceFlags: 1 }), carrier, defaultTextMapSetter);
  assert.equal(trace.getSpanContext(extract(carrier))?.traceId, TRACE);
  assert.deepEqual(propagator.fields(), ['x-amzn-trace-id']);
});

test('formatTraceHeader: the response header value', () => {
  assert.equal(formatTraceHeader({ traceId: TRACE, spanId: PARENT, traceFlags: 1 }), `Root=${ROOT};Sampled=1`);
  assert.equal(formatTraceHeader({ traceId: TRACE, spanId: PARENT, traceFlags: 0 }), `Root=${ROOT};Sampled=0`);
});

/** A provider wired the way setup composes these pieces. */
function provider(root: 'on' | 'off') {
  const exporter = new InMemorySpanExporter();
  const tp = new TracerProvider({
    idGenerator: new XRayIdGenerator(),
    sampler: deferredDecisionSampler(root === 'on' ? new AlwaysOnSampler() : new AlwaysOffSampler()),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return { tracer: tp.getTracer('test'), exporter, tp };
}

test('sampler + propagator with a real TracerProvider', async (t) => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
  t.after(() => {
    context.disable();
    propagation.disable();
  });

  await t.test('Sampled=? keeps the trace; the root sampler decides; the marker does not travel on', async () => {
    const { tracer, exporter, tp } = provider('on');
    const ctx = extract({ 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=?` });
    const span = tracer.startSpan('server', {}, ctx);
    const sc = span.spanContext();
    assert.equal(sc.traceId, TRACE);
    assert.equal(sc.traceFlags, TraceFlags.SAMPLED);
    assert.equal(isDeferredSampling(sc), false);
    const out: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), out);
    assert.equal(out['x-amzn-trace-id'], `Root=${ROOT};Parent=${sc.spanId};Sampled=1`);
    span.end();
    assert.equal(exporter.getFinishedSpans()[0].parentSpanContext?.spanId, PARENT);
    await tp.shutdown();
  });

  await t.test('Sampled=? with a root sampler that says no → not recorded, trace id still kept', async () => {
    const { tracer, exporter, tp } = provider('off');
    const span = tracer.startSpan('server', {}, extract({ 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT}` }));
    assert.equal(span.spanContext().traceId, TRACE);
    assert.equal(span.isRecording(), false);
    span.end();
    assert.equal(exporter.getFinishedSpans().length, 0);
    await tp.shutdown();
  });

  await t.test('explicit Sampled=0 / Sampled=1 parents are obeyed (ParentBased)', async () => {
    const { tracer, tp } = provider('on');
    const no = tracer.startSpan('s', {}, extract({ 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=0` }));
    assert.equal(no.isRecording(), false);
    const { tracer: offTracer, tp: tp2 } = provider('off');
    const yes = offTracer.startSpan('s', {}, extract({ 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1` }));
    assert.equal(yes.isRecording(), true);
    await tp.shutdown();
    await tp2.shutdown();
  });

  await t.test('Root without Parent: the server span is a root span of that trace; Sampled honoured', async () => {
    const { tracer, exporter, tp } = provider('off');
    const ctx = extract({ 'x-amzn-trace-id': `Root=${ROOT};Sampled=1` });
    const span = context.with(ctx, () => tracer.startSpan('server'));
    assert.equal(span.spanContext().traceId, TRACE);
    assert.equal(span.isRecording(), true, 'Sampled=1 overrides the root sampler');
    const later = context.with(ctx, () => tracer.startSpan('another root', { root: true }));
    assert.notEqual(later.spanContext().traceId, TRACE, 'only one span adopts the Root');
    span.end();
    later.end();
    const [finished] = exporter.getFinishedSpans();
    assert.equal(finished.parentSpanContext, undefined);
    await tp.shutdown();
  });
});
