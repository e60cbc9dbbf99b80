/**
 * Server spans made directly (direct-span.ts) are the spans the SDK's tracer would have made:
 * same class, fields, limits and processor calls; the factory declines tracers it does not know.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, TracerProvider, type ReadableSpan, type SpanLimits, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { directSpanFactory } from '../src/direct-span.ts';

function recording(spanLimits?: SpanLimits) {
  const started: ReadableSpan[] = [];
  const ended: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart: (s) => void started.push(s as unknown as ReadableSpan),
    onEnd: (s) => void ended.push(s),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'direct' }), sampler: new AlwaysOnSampler(), spanProcessors: [processor], spanLimits });
  return { tracer: provider.getTracer('direct-test', '1.2.3'), started, ended };
}

/** The fields exporters read, with times left out (two spans never share them). */
function shape(s: ReadableSpan) {
  return {
    class: s.constructor,
    name: s.name,
    kind: s.kind,
    parent: s.parentSpanContext?.spanId,
    parentRemote: s.parentSpanContext?.isRemote,
    traceFlags: s.spanContext().traceFlags,
    attributes: s.attributes,
    links: s.links,
    events: s.events,
    status: s.status,
    resource: s.resource,
    scope: s.instrumentationScope,
    dropped: [s.droppedAttributesCount, s.droppedEventsCount, s.droppedLinksCount],
    ended: s.ended,
  };
}

const attrs = () => ({ 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:8080/archive/1?long=query', 'http.route': '/archive/:id' });

test('a direct span matches the SDK span for the same request, and reaches the processor once per start and end', () => {
  const { tracer, started, ended } = recording();
  const make = directSpanFactory(tracer);
  assert.ok(make, 'the pinned SDK is recognised');
  const parentSc: SpanContext = { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: TraceFlags.SAMPLED, isRemote: true };
  const parent = trace.setSpanContext(ROOT_CONTEXT, parentSc);

  const sdk = tracer.startSpan('GET /archive/:id', { kind: SpanKind.SERVER, attributes: attrs() }, parent);
  const direct = make('GET /archive/:id', SpanKind.SERVER, parent, { traceId: parentSc.traceId, spanId: 'aaaaaaaaaaaaaaaa', traceFlags: TraceFlags.SAMPLED }, parentSc, attrs());
  for (const s of [sdk, direct]) {
    s.setAttribute('http.response.status_code', 200);
    s.addEvent('exception', { 'exception.type': 'E' });
    s.end();
  }
  assert.equal(started.length, 2);
  assert.equal(ended.length, 2);
  const [a, b] = ended as [ReadableSpan, ReadableSpan];
  assert.deepEqual(shape(b), { ...shape(a), events: b.events });
  assert.equal(b.events.length, 1);
  assert.equal(b.spanContext().spanId, 'aaaaaaaaaaaaaaaa');
  assert.equal(b.spanContext().traceId, parentSc.traceId);
  assert.ok(b.startTime[0] > 0 && b.duration[0] >= 0);
});

test('configured attribute limits apply to direct spans as they do to the SDK', () => {
  const { tracer, ended } = recording({ attributeValueLengthLimit: 12, attributeCountLimit: 2 });
  const make = directSpanFactory(tracer)!;
  tracer.startSpan('x', { kind: SpanKind.SERVER, attributes: attrs() }, ROOT_CONTEXT).end();
  make('x', SpanKind.SERVER, ROOT_CONTEXT, { traceId: '5759e988bd862e3fe1be46a994272793', spanId: 'bbbbbbbbbbbbbbbb', traceFlags: TraceFlags.SAMPLED }, undefined, attrs()).end();
  const [a, b] = ended as [ReadableSpan, ReadableSpan];
  assert.deepEqual(b.attributes, a.attributes);
  assert.equal(b.droppedAttributesCount, a.droppedAttributesCount);
  assert.equal(String(b.attributes['url.full']).length, 12);
});

test('tracers that are not the SDK tracer get no factory', () => {
  assert.equal(directSpanFactory(trace.getTracer('no provider registered')), undefined);
  const { tracer } = recording();
  // An SDK whose tracer keeps its processor elsewhere.
  const renamed = Object.assign(Object.create(Object.getPrototypeOf(tracer)), tracer, { _spanProcessor: undefined });
  assert.equal(directSpanFactory(renamed), undefined);
});
