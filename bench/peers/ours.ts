/**
 * Ours on the peers' handler: the project's Fastify base (src/shared/http.ts: request ids,
 * error shape, one request log line) with its tracing (src/tracing/setup.ts), serving the
 * same 10 KiB from memory. Configured by the contract's OTEL_* / AWS_XRAY_DAEMON_ADDRESS
 * variables, as the services are. Logs {"msg":"listening","address":...}.
 */
import { createHttpApp } from '@tfa/service-kit/http';
import { createLogger } from '@tfa/service-kit/logging';
import { requestTracing } from '@tfa/service-tracing/server';
import { setupTracing } from '@tfa/service-tracing/setup';
import { doc, headers } from './handler.ts';

const logger = createLogger('peer-ours');
const tracing = setupTracing({ serviceName: 'peer-ours', serviceVersion: '0.1.0', daemonAddress: process.env.AWS_XRAY_DAEMON_ADDRESS ?? '127.0.0.1:2000', logger });
const app = await createHttpApp({ logger, title: 'peer', description: 'bench', version: '0.1.0', instrumentation: tracing.enabled ? requestTracing(tracing.tracer) : undefined });
app.get('/doc', (_req, reply) => {
  reply.headers(headers).send(doc);
});
await app.listen({ port: 0, host: '127.0.0.1' });
const a = app.server.address() as { port: number };
process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}` })}\n`);
process.on('SIGTERM', () => void app.close().then(() => tracing.shutdown()).then(() => process.exit(0)));
