/**
 * `GET /api/events`: server-sent events, one `trace` event (the list row's JSON) per new or
 * updated trace, a heartbeat comment every 15 s so proxies keep the stream open. A client
 * that reads too slowly loses events rather than growing our memory: past the per-client
 * buffer limit, events are skipped and the next delivered one says how many were missed.
 */
import type { ServerResponse } from 'node:http';
import type { App } from '@tfa/service-kit/http';
import type { TraceStoreApi } from '../store/store.ts';
import { toApiSummary } from '../store/summary.ts';
import { routeSchemas } from './contract.ts';

/** Options of the event stream. */
export interface EventsOptions {
  heartbeatMs?: number;
  /** Bytes buffered per client before events are skipped. */
  maxBufferBytes?: number;
  /** Connected clients at most (further ones get 503). */
  maxClients?: number;
}

interface Client {
  res: ServerResponse;
  missed: number;
}

/** Registers `GET /api/events` and wires it to the store's commits. */
export function registerEvents(app: App, store: TraceStoreApi, options: EventsOptions = {}): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBuffer = options.maxBufferBytes ?? 1024 * 1024;
  const maxClients = options.maxClients ?? 100;
  const clients = new Set<Client>();

  const unsubscribe = store.onTrace((row) => {
    if (clients.size === 0) return;
    const data = JSON.stringify(toApiSummary(row));
    for (const c of clients) {
      if (c.res.writableLength > maxBuffer) {
        c.missed++;
        continue;
      }
      const missed = c.missed > 0 ? `: missed ${c.missed} events\n` : '';
      c.missed = 0;
      c.res.write(`${missed}event: trace\nid: ${row.id}:${row.revision}\ndata: ${data}\n\n`);
    }
  });
  const heartbeat = setInterval(() => {
    for (const c of clients) if (c.res.writableLength <= maxBuffer) c.res.write(': heartbeat\n\n');
  }, heartbeatMs);
  heartbeat.unref();

  app.get('/api/events', { schema: routeSchemas.events, config: { trace: false } }, (req, reply) => {
    if (clients.size >= maxClients) {
      reply.code(503).header('retry-after', '5').send({ id: req.id, code: 'busy', status: 503, detail: `at most ${maxClients} event streams at once` });
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': req.id });
    res.write(': connected\n\n');
    const client: Client = { res, missed: 0 };
    clients.add(client);
    // A closed connection (the browser left) removes the client; nothing else holds it.
    res.on('close', () => clients.delete(client));
  });

  // Open streams would keep app.close() waiting forever: end them first.
  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    unsubscribe();
    for (const c of clients) c.res.end();
    clients.clear();
  });
}
