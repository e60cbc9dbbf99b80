/** Builds the console app in process over an in-memory store (fastify/demo's `build(t)` habit). */
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { buildConsoleApp } from '../../src/app.ts';
import type { EventsOptions } from '../../src/api/events.ts';
import { Diagnostics } from '../../src/ingest/diagnostics.ts';
import { Ingest } from '../../src/ingest/ingest.ts';
import { defaultSamplingRules } from '../../src/sampling/rules.ts';
import { createSamplingService } from '../../src/sampling/service.ts';
import { openTraceStore } from '../../src/store/store.ts';

/** The app, its store and ingest; everything closed in t.after. */
export async function build(t: TestContext, options: { token?: string; events?: EventsOptions } = {}) {
  const store = openTraceStore(':memory:', { pruneEveryMs: 0, flushDelayMs: 1 });
  const diagnostics = new Diagnostics();
  const ingest = new Ingest(store, diagnostics);
  const app = await buildConsoleApp({
    store,
    ingest,
    diagnostics,
    sampling: createSamplingService(defaultSamplingRules()),
    logger: pino({ level: 'silent' }),
    token: options.token,
    events: options.events,
  });
  t.after(async () => {
    await app.close();
    store.close();
  });
  return { app, store, ingest, diagnostics };
}
