/**
 * The ceiling: bare node:http serving one document from memory, nothing else.
 * `node bench/servers/bare-http.ts [--bytes 10240] [--datagram-to UDP_PORT]`; logs
 * {"msg":"listening","address":...}. With --datagram-to it also sends one fixed 600-byte
 * datagram per request to 127.0.0.1:UDP_PORT (a connected socket, no callback): the floor
 * under any exporter that follows the X-Ray daemon protocol of one document per datagram.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { bytes: { type: 'string', default: '10240' }, 'datagram-to': { type: 'string' } } });
const doc = Buffer.alloc(Number(values.bytes), 'a');
const headers = { 'content-type': 'text/html; charset=utf-8', 'content-length': String(doc.length) };
const udp = values['datagram-to'] === undefined ? undefined : createSocket('udp4');
const datagram = Buffer.from(`{"format":"json","version":1}\n{"name":"bare","id":"0123456789abcdef","trace_id":"1-00000000-000000000000000000000000","start_time":1,"end_time":2,${'"x":0,'.repeat(85)}"y":0}`);
if (udp !== undefined) {
  udp.on('error', () => {});
  udp.connect(Number(values['datagram-to']), '127.0.0.1');
}
const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(doc);
  udp?.send(datagram);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'listening', address: `http://127.0.0.1:${a.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
