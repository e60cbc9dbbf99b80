import { createSocket } from 'node:dgram';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { pino } from 'pino';
const sink = createSocket('udp4'); let got = 0; sink.on('message', () => got++);
await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
process.env.OTEL_TRACES_EXPORTER = process.argv[2] ?? 'none';
const { setupTracing } = await import('/work/main/src/tracing/setup.ts');
const t = setupTracing({ serviceName: 'x', serviceVersion: '1', daemonAddress: `127.0.0.1:${sink.address().port}`, logger: pino({ level: 'silent' }) });
const tracer = t.tracer;
const headers = { host: '127.0.0.1:8080', 'user-agent': 'wrk', accept: '*/*' };
function one() {
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const span = context.with(parent, () => tracer.startSpan('GET /archive/:id', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1:8080/archive/1', 'url.scheme': 'http', 'server.address': '127.0.0.1', 'client.address': '127.0.0.1', 'user_agent.original': 'wrk', 'http.route': '/archive/:id' } }, parent));
  context.with(trace.setSpan(parent, span), () => {});
  span.setAttribute('http.response.status_code', 200);
  span.end();
}
for (let i = 0; i < 20000; i++) { one(); if (i % 64 === 0) await new Promise((r) => setImmediate(r)); }
const n = 100000;
const t0 = performance.now();
for (let i = 0; i < n; i++) { one(); if (i % 64 === 0) await new Promise((r) => setImmediate(r)); }
await new Promise((r) => setTimeout(r, 300));
console.log(process.argv[2], 'us/span', ((performance.now() - t0 - 300) * 1000 / n).toFixed(1), 'received', got);
await t.shutdown(); sink.close();
