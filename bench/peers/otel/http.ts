/**
 * Peer: bare node:http traced by the stock OpenTelemetry JS 2.x setup (NodeTracerProvider,
 * AlwaysOn, @opentelemetry/instrumentation-http), serving the ceiling's 10 KiB from memory.
 * `node bench/peers/otel/http.ts --mode off|none|otlp [--otlp URL]`: off = not set up (the
 * baseline), none = spans made and ended with no processor, otlp = BatchSpanProcessor with the
 * OTLP/HTTP exporter (protobuf) to URL/v1/traces. Logs {"msg":"listening","address":...}.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { registerProvider } from './provider.ts';
import { handler, listen, type Http } from '../handler.ts';

const { values } = parseArgs({ options: { mode: { type: 'string', default: 'off' }, otlp: { type: 'string' } } });
const require = createRequire(import.meta.url);

let flush = async (): Promise<unknown> => undefined;
if (values.mode !== 'off') {
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  flush = await registerProvider(values.mode!, values.otlp);
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
}
// Loaded after the instrumentation is registered, as its docs require (it patches `require('http')`).
const http = require('http') as Http;
listen(http.createServer(handler), flush);
