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

test('spans ended on separate turns linger into one datagram; a lone span still goes within the linger time', async (t) => {
  const { datagrams, tracer, processor } = await setup(t, { lingerMs: 50 });
  // Ten requests' spans, one per event-loop turn (as at 5 % sampling): one datagram, not ten.
  for (let i = 0; i < 10; i++) {
    tracer.startSpan(`GET /archive/${i}`).end();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(datagrams.length, 0, 'nothing sent before the linger time');
  await settle();
  assert.equal(datagrams.length, 1);
  assert.equal(decodeAdotUdpPayload(datagrams[0]!)!.spans.length, 10);
  // A full slice does not wait.
  for (let i = 0; i < 64; i++) tracer.startSpan(`full ${i}`).end();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(datagrams.length, 2, 'a full slice of 64 goes the next turn');
  // Nor does one span wait longer than the linger time.
  const start = Date.now();
  tracer.startSpan('lone').end();
  while (datagrams.length < 3 && Date.now() - start < 2000) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(datagrams.length, 3);
  assert.ok(Date.now() - start < 500, `a lone span went after ${Date.now() - start} ms`);
  assert.equal(processor.spansSent, 75);
});

test('a process that runs out of work sends the spans still lingering before it exits', { timeout: 30_000 }, async (t) => {
  const l = await listener(t);
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const src = (p: string) => JSON.stringify(fileURLToPath(new URL(p, import.meta.url)));
  // No shutdown, no flush: the event loop simply runs dry with three spans lingering (10 s).
  const body = `
    import { TracerProvider } from '@opentelemetry/sdk-trace';
    import { XRayOtlpUdpSpanProcessor } from ${src('../src/otlp-udp-processor.ts')};
    import { XRayDaemonSpanProcessor } from ${src('../src/processor.ts')};
    const endpoint = { host: '127.0.0.1', port: ${l.port} };
    const provider = new TracerProvider({ spanProcessors: [new XRayOtlpUdpSpanProcessor({ endpoint, lingerMs: 10000 }), new XRayDaemonSpanProcessor({ endpoint, lingerMs: 10000 })] });
    const tracer = provider.getTracer('exit');
    for (let i = 0; i < 3; i++) tracer.startSpan('at exit ' + i).end();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', body], { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: ['ignore', 'inherit', 'inherit'] });
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 8000, 'the process did not wait for the linger timer');
  await settle();
  const t1s = l.datagrams.filter((d) => d.includes('\nT1S'));
  assert.equal(t1s.length, 1, 'one T1S datagram with the three spans');
  assert.equal(decodeAdotUdpPayload(t1s[0]!)!.spans.length, 3);
  assert.equal(l.datagrams.length - t1s.length, 3, 'and three segment documents');
});
