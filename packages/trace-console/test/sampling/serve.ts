/**
 * A loopback HTTP server that mounts the console's sampling service on its two X-Ray
 * routes, the way the console does, and records every request body. Closed in t.after.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import type { SamplingService } from '../../src/sampling/service.ts';

/** A request the server received. */
export interface Received {
  path: string;
  body: unknown;
}

/** The running server. */
export interface SamplingServer {
  port: number;
  received: Received[];
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

/** Starts the server on 127.0.0.1 and an ephemeral port; pass a function to swap services mid-test. */
export async function serveSampling(t: TestContext, serve: SamplingService | (() => SamplingService)): Promise<SamplingServer> {
  const received: Received[] = [];
  const current = typeof serve === 'function' ? serve : () => serve;
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    try {
      const body = await readJson(req);
      received.push({ path: req.url ?? '', body });
      if (req.method === 'POST' && req.url === '/GetSamplingRules') return send(200, current().getSamplingRules(body));
      if (req.method === 'POST' && req.url === '/SamplingTargets') return send(200, current().getSamplingTargets(body));
      send(404, { message: 'not found' });
    } catch (err) {
      const name = (err as Error).name === 'InvalidRequestException' ? 'InvalidRequestException' : 'SerializationException';
      send(400, { __type: name, Message: (err as Error).message }, { 'x-amzn-errortype': name });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, received };
}
