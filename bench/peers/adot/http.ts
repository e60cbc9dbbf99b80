/**
 * Peer: ADOT's X-Ray UDP exporter (@aws/aws-distro-opentelemetry-exporter-xray-udp 0.0.2) on
 * the OpenTelemetry JS 1.x line it pins (sdk-trace-node 1.30, instrumentation-http 0.57),
 * bare node:http, AlwaysOn, BatchSpanProcessor: spans go as `T1S` + base64 OTLP datagrams to
 * the daemon address. `node bench/peers/adot/http.ts --mode off|udp [--udp PORT]`.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { handler, listen, type Http } from '../handler.ts';

const { values } = parseArgs({ options: { mode: { type: 'string', default: 'off' }, udp: { type: 'string' } } });
const require = createRequire(import.meta.url);
// The exporter sends a whole batch as one datagram and rethrows a failed send in its callback:
// with the SDK's default batch (512 spans, ~250 KB) the send fails with EMSGSIZE and the
// process dies (seen here under load). 50 spans stay well under the 64 KiB datagram limit.
const BATCH = 50;

let flush = async (): Promise<unknown> => undefined;
if (values.mode !== 'off') {
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const { AwsXrayUdpSpanExporter } = await import('@aws/aws-distro-opentelemetry-exporter-xray-udp');
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new AwsXrayUdpSpanExporter(`127.0.0.1:${values.udp}`), { maxExportBatchSize: BATCH })] });
  provider.register();
  flush = () => provider.shutdown();
  registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
}
const http = require('http') as Http;
listen(http.createServer(handler), flush);
