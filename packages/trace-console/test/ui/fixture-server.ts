/**
 * A stand-in for the console's JSON API (the contract shapes, canned data) with the real UI
 * routes (registerUi), for browser tests of rendering and interaction and for screenshots.
 * The end-to-end test uses the real trace-console instead. Run alone:
 * `node test/console/ui/fixture-server.ts [traces]` serves a demo on an ephemeral port.
 */
import type { ServerResponse } from 'node:http';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { compileFilter, FilterSyntaxError } from '../../src/filter/index.ts';
import type { FilterTrace } from '../../src/model/index.ts';
import { registerUi } from '../../src/ui/serve.ts';
import type { TraceSummary } from '../../src/api/contract.ts';
import { diagnose } from '../../src/api/diagnosis.ts';
import { bigTrace, diagnostics, fetchTrace, serviceGraph, summarize } from './fixtures.ts';

type Doc = Record<string, any>;

interface Stored {
  docs: Doc[];
  summary: TraceSummary;
  model: FilterTrace;
}

/** A running fixture. */
export interface Fixture {
  url: string;
  app: FastifyInstance;
  /** Stores a trace and announces it on /api/events; returns its id. */
  add(docs: Doc[], announce?: boolean): string;
  close(): Promise<void>;
}

/** Starts the fixture on 127.0.0.1 with `count` demo traces (one 404 and one 500 among the newest) and a 1 000-span trace. */
export async function startFixture(t?: TestContext, options: { count?: number; bigSpans?: number } = {}): Promise<Fixture> {
  const traces = new Map<string, Stored>();
  const clients = new Set<ServerResponse>();
  const add = (docs: Doc[], announce = true) => {
    const { summary, model } = summarize(docs);
    traces.set(summary.id, { docs, summary, model });
    for (const res of clients) res.write(`event: trace\ndata: ${JSON.stringify(summary)}\n\n`);
    return summary.id as string;
  };
  const now = Date.now() / 1000;
  const count = options.count ?? 200;
  const statuses = [200, 200, 200, 200, 404, 200, 500, 429, 200, 200];
  for (let i = count - 1; i >= 0; i--) add(fetchTrace(now - i * (3000 / count) - 5, statuses[i % statuses.length], i % 3 === 0 ? '/text' : undefined, 0.3 + ((i * 7919) % 100) / 40 + (i % 37 === 0 ? 6 : 0)), false);
  add(bigTrace(now - 2, options.bigSpans ?? 1000), false);

  const app = Fastify();
  await registerUi(app);
  app.get('/api/traces', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    let match: (t: FilterTrace) => boolean;
    try {
      match = compileFilter(q.filter ?? '');
    } catch (e) {
      if (!(e instanceof FilterSyntaxError)) throw e;
      return reply.code(400).send({ id: req.id, code: 'invalid_filter', status: 400, detail: e.message, position: e.position, expected: e.expected });
    }
    const since = q.since ? Number(q.since) : -Infinity;
    const until = q.until ? Number(q.until) : Infinity;
    const rows = [...traces.values()]
      .filter((t) => t.model.startTime >= since && t.model.startTime <= until && match(t.model))
      .sort((a, b) => b.model.startTime - a.model.startTime)
      .slice(0, Number(q.limit ?? 50));
    return { traces: rows.map((r) => r.summary) };
  });
  app.get('/api/traces/:id', async (req, reply) => {
    const t = traces.get((req.params as { id: string }).id);
    if (!t) return reply.code(404).send({ id: req.id, code: 'not_found', status: 404, detail: 'no such trace' });
    return { id: t.summary.id, duration: t.summary.duration, segments: t.docs };
  });
  // The real diagnosis over the fixture's documents (no ingest here, so no ingest events).
  app.get('/api/traces/:id/diagnosis', async (req) => {
    const id = (req.params as { id: string }).id;
    return diagnose(id, traces.get(id)?.docs, []);
  });
  app.get('/api/service-graph', async () => serviceGraph);
  app.get('/api/diagnostics', async () => diagnostics);
  // GetGroups (the group picker): only X-Ray's Default group here.
  app.post('/Groups', async () => ({ Groups: [{ GroupName: 'Default', GroupARN: 'arn:aws:xray:local:000000000000:group/Default', InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false } }] }));
  app.get('/api/events', (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    reply.raw.write(': connected\n\n');
    clients.add(reply.raw);
    reply.raw.on('close', () => clients.delete(reply.raw));
  });
  app.addHook('preClose', async () => {
    for (const c of clients) c.end();
  });
  const url = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  const fixture: Fixture = { url, app, add, close: () => app.close() };
  t?.after(() => app.close());
  return fixture;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const f = await startFixture(undefined, { count: Number(process.argv[2] ?? 200) });
  console.log(`fixture console at ${f.url}`);
}
