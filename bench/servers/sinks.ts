/**
 * Trace sinks for the tracing-cost bench: a UDP listener counting X-Ray daemon datagrams and
 * an OTLP/HTTP receiver answering 200 to POST /v1/traces; GET /counts reports both.
 * Logs {"msg":"listening","address":"http://127.0.0.1:P","udp":P}.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';

const counts = { datagrams: 0, datagramBytes: 0, otlpRequests: 0, otlpBytes: 0 };
const udp = createSocket('udp4');
udp.on('message', (m) => {
  counts.datagrams++;
  counts.datagramBytes += m.length;
});
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/counts') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
    return;
  }
  let bytes = 0;
  req.on('data', (c: Buffer) => (bytes += c.length));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/traces') {
      counts.otlpRequests++;
      counts.otlpBytes += bytes;
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
    } else res.writeHead(404).end();
  });
});
server.keepAliveTimeout = 60_000;
udp.bind(0, '127.0.0.1', () => {
  server.listen(0, '127.0.0.1', () => {
    const a = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}`, udp: udp.address().port })}\n`);
  });
});
process.on('SIGTERM', () => {
  udp.close();
  server.close(() => process.exit(0)).closeAllConnections();
});
