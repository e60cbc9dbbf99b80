/**
 * ADOT framing on loopback: a real TracerProvider with XRayOtlpUdpSpanProcessor sending to
 * a dgram listener, decoded with the trace-console's own ADOT decoder. Many spans share a
 * datagram, an over-budget slice is split, and a span that cannot fit is counted, not lost
 * silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { decodeAdotUdpPayload } from '@tfa/trace-console/otlp/decode';
import { XRayIdGenerator } from '../src/ids.ts';
import { XRayOtlpUdpSpanProcessor, type XRayOtlpUdpProcessorOptions } from '../src/otlp-udp-processor.ts';
import { parseTracingEnv } from '@tfa/service-tracing/env';

async function listener(t: { after: (fn: () => unknown) => void }) {
  const socket = createSocket('udp4');
  const datagrams: string[] = [];
  socket.on('message', (msg) => datagrams.push(msg.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.after(() => socket.close());
  return { port: socket.address().port, datagrams };
}

async function setup(t: { after: (fn: () => unknown) => void }, options: Partial<XRayOtlpUdpProcessorOptions> = {}) {
  const l = await listener(t);
  const processor = new XRayOtlpUdpSpanProcessor({ endpoint: { host: '127.0.0.1', port: l.port }, ...options });
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'svc' }), idGenerator: new XRayIdGenerator(), spanProcessors: [processor] });
  t.after(() => provider.shutdown());
  return { ...l, processor, tracer: provider.getTracer('test') };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

test('spans ended in one turn travel in one T1S datagram the console decodes', async (t) => {
  const { datagrams, tracer, processor } = await setup(t);
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const span = tracer.startSpan(`GET /archive/${i}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 } });
    ids.push(span.spanContext().spanId);
    span.end();
  }
  await processor.forceFlush();
  await settle();
  assert.equal(datagrams.length, 1);
  assert.ok(datagrams[0]!.startsWith('{"format":"json","version":1}\nT1S'));
  const decoded = decodeAdotUdpPayload(datagrams[0]!);
  assert.ok(decoded);
  assert.equal(decoded.sampled, true);
  assert.deepEqual(decoded.spans.map((s) => s.spanId).sort(), [...ids].sort());
  assert.equal(processor.counters.dropped, 0);
  assert.equal(processor.spansSent, 20);
});

test('a slice over the budget is split until each datagram fits; a span too big alone is counted', async (t) => {
  const drops: number[] = [];
  const { datagrams, tracer, processor } = await setup(t, { budgetBytes: 2000, onDrop: (s) => drops.push(s.encodeErrors), dropReportIntervalMs: 10 });
  for (let i = 0; i < 12; i++) tracer.startSpan(`s${i}`, { attributes: { pad: 'x'.repeat(200) } }).end();
  tracer.startSpan('huge', { attributes: { pad: 'y'.repeat(5000) } }).end();
  await processor.forceFlush();
  await settle();
  assert.ok(datagrams.length > 1, `${datagrams.length} datagrams`);
  let spans = 0;
  for (const d of datagrams) {
    assert.ok(d.length <= 2000, `${d.length} bytes`);
    spans += decodeAdotUdpPayload(d)!.spans.length;
  }
  assert.equal(spans, 12);
  assert.equal(processor.counters.dropped, 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(drops, [1]);
});

test('unsampled spans are not sent', async (t) => {
  const { datagrams, tracer, processor } = await setup(t);
  const span = tracer.startSpan('x');
  // A non-recording span never reaches onEnd; a recorded span without the SAMPLED flag is skipped.
  processor.onEnd({ ...(span as any), spanContext: () => ({ ...span.spanContext(), traceFlags: 0 }) });
  await processor.forceFlush();
  await settle();
  assert.equal(datagrams.length, 0);
});

test('OTEL_EXPORTER_XRAY_PROTOCOL is segment by default, otlp on request, anything else a one-line error', () => {
  assert.equal(parseTracingEnv({}).xrayProtocol, 'segment');
  assert.equal(parseTracingEnv({ OTEL_EXPORTER_XRAY_PROTOCOL: 'otlp' }).xrayProtocol, 'otlp');
  assert.throws(() => parseTracingEnv({ OTEL_EXPORTER_XRAY_PROTOCOL: 'udp' }), /OTEL_EXPORTER_XRAY_PROTOCOL/);
});
