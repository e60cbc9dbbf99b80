/**
 * Peer: Fastify 5 traced by the stock @fastify/otel with the OpenTelemetry JS 2.x SDK
 * (NodeTracerProvider, AlwaysOn), the same 10 KiB from memory. Its usual setup: the plugin
 * registered on initialization, no HTTP instrumentation (the plugin's request span is the
 * server span). `node bench/peers/otel/fastify.ts --mode off|none|otlp [--otlp URL]`.
 */
import { parseArgs } from 'node:util';
import { registerProvider } from './provider.ts';
import { doc, headers } from '../handler.ts';

const { values } = parseArgs({ options: { mode: { type: 'string', default: 'off' }, otlp: { type: 'string' } } });

let flush = async (): Promise<unknown> => undefined;
if (values.mode !== 'off') {
  const { FastifyOtelInstrumentation } = await import('@fastify/otel');
  flush = await registerProvider(values.mode!, values.otlp);
  new FastifyOtelInstrumentation({ registerOnInitialization: true });
}
const { default: Fastify } = await import('fastify');
const app = Fastify({ logger: false });
app.get('/doc', (_req, reply) => {
  reply.headers(headers).send(doc);
});
await app.listen({ port: 0, host: '127.0.0.1' });
const a = app.server.address() as { port: number };
process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}` })}\n`);
process.on('SIGTERM', () => void app.close().then(flush).finally(() => process.exit(0)));
