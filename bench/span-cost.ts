/**
 * Micro-benchmark: what one traced request costs in this process, step by step (no HTTP):
 * a server span started and ended with the attributes src/tracing/server.ts sets, then
 * with the X-Ray encoder, then with the UDP send to a local listener.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOnSampler, TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes, defaultResource } from '@opentelemetry/resources';
import { createSocket } from 'node:dgram';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { XRayIdGenerator } from '@tfa/otel-xray/ids';
import { DocumentEncoder } from '@tfa/otel-xray/encode';
import { XRayDaemonSpanProcessor } from '@tfa/otel-xray/processor';
import { AWSXRayPropagator } from '@tfa/otel-xray/propagator';
import { formatTraceHeader } from '@tfa/otel-xray/propagator';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new AWSXRayPropagator());
const sink = createSocket('udp4');
await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
let received = 0;
sink.on('message', () => received++);
const port = sink.address().port;

class Collect implements SpanProcessor {
  last: ReadableSpan | undefined;
  onStart() {}
  onEnd(s: ReadableSpan) { this.last = s; }
  async forceFlush() {}
  async shutdown() {}
}
const collect = new Collect();
const xray = new XRayDaemonSpanProcessor({ endpoint: { host: '127.0.0.1', port } as never });
const mk = (p: SpanProcessor[]) => new TracerProvider({
  resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'bench', 'service.version': '1' })),
  idGenerator: new XRayIdGenerator(), sampler: new AlwaysOnSampler(), spanProcessors: p,
}).getTracer('bench');
const headers = { host: '127.0.0.1:8080', 'user-agent': 'wrk', accept: '*/*' };
function one(tracer: ReturnType<typeof mk>) {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = tracer.startSpan('GET /archive/:id', { kind: SpanKind.SERVER, attributes: {
    'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:8080/archive/1', 'url.scheme': 'http',
    'server.address': '127.0.0.1', 'client.address': '127.0.0.1', 'user_agent.original': 'wrk', 'http.route': '/archive/:id' } }, parent);
  trace.setSpan(parent, span);
  formatTraceHeader(span.spanContext());
  span.setAttribute('http.response.status_code', 200);
  span.end();
}
async function time(label: string, fn: () => void, n = 100_000) {
  for (let i = 0; i < 20_000; i++) fn();
  await new Promise((r) => setImmediate(r));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) { fn(); if (i % 64 === 63) await new Promise((r) => setImmediate(r)); }
  await new Promise((r) => setTimeout(r, 50));
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  console.log(`${label.padEnd(48)} ${us.toFixed(2)} µs/span`);
}
const encoder = new DocumentEncoder();
const tNone = mk([]); const tCollect = mk([collect]); const tX = mk([xray]);
for (let round = 0; round < 2; round++) {
  await time('yield only (baseline of the loop)', () => {});
  await time('span start+end, no processor', () => one(tNone));
  await time('span + collect', () => one(tCollect));
  one(tCollect); const s = collect.last!;
  await time('encode (translate+fit+header) only', () => { encoder.encode(s); });
  const d = encoder.encode(s)!;
  await time('Buffer.from(datagram) only', () => { Buffer.from(d); });
  await time('sink.send(datagram) only', () => { sink.send(d, port, '127.0.0.1'); });
  await time('span + XRayDaemonSpanProcessor (send)', () => one(tX));
  const batch64 = Array.from({ length: 64 }, () => s);
  await time('OTLP protobuf serialize, per span (batches of 64)', () => { ProtobufTraceSerializer.serializeRequest(batch64); }, 2000);
  console.log('  (divide the line above by 64)', ProtobufTraceSerializer.serializeRequest(batch64)!.length / 64, 'bytes/span');
  console.log('datagram bytes', Buffer.byteLength(d), 'received', received);
}
sink.close(); await xray.shutdown();
