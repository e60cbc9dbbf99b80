/** The threaded store: writes in a worker thread, reads here, counts and events kept in step. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openTraceStore } from '../../src/store/store.ts';
import { openThreadedTraceStore } from '../../src/store/threaded.ts';
import type { IncomingDocument } from '../../src/store/types.ts';
import { tempDir } from '@tfa/test-helpers/tmp';
import { fetchTrace, segment, traceId } from '../fixtures.ts';

const incoming = (doc: Record<string, unknown>): IncomingDocument => ({ traceId: doc.trace_id as string, id: doc.id as string, inProgress: doc.in_progress === true, raw: JSON.stringify(doc) });

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('documents written by the worker are readable here, announced once committed, and counted', async (t) => {
  const path = join(tempDir(t), 'traces.db');
  const store = await openThreadedTraceStore(path, { flushDelayMs: 5 });
  t.after(() => store.close());
  const seen: string[] = [];
  store.onTrace((row) => seen.push(`${row.id}@${row.revision}`));
  const { trace, fetcher, archiver } = fetchTrace();
  assert.equal(store.enqueue(incoming(archiver)), true);
  await until(() => seen.length === 1, 'the first commit');
  assert.deepEqual(store.get(trace)!.services, ['archiver']);
  // The reader's cached filter model must follow the writer's later commits.
  assert.equal(store.filterTrace(trace)!.services.length, 1);
  store.enqueue(incoming(fetcher as Record<string, unknown>));
  await until(() => seen.length === 2, 'the second commit');
  assert.deepEqual(seen, [`${trace}@1`, `${trace}@2`]);
  assert.deepEqual([...store.get(trace)!.services].sort(), ['archiver', 'fetcher']);
  assert.deepEqual(store.filterTrace(trace)!.services.map((s) => s.name).sort(), ['archiver', 'example.test', 'fetcher']);
  assert.equal(store.documents(trace)!.length, 2);
  const stats = store.stats();
  assert.deepEqual({ traces: stats.traces, documents: stats.documents, queued: stats.queued, committed: stats.committed }, { traces: 1, documents: 2, queued: 0, committed: 2 });
});

test('close commits what is queued; counts survive a reopen; the queue is bounded', async (t) => {
  const path = join(tempDir(t), 'traces.db');
  const first = await openThreadedTraceStore(path, { flushDelayMs: 60_000, maxQueue: 3 });
  const ids = [traceId(), traceId(), traceId()];
  for (const id of ids) assert.equal(first.enqueue(incoming(segment(id))), true);
  assert.equal(first.enqueue(incoming(segment(traceId()))), false);
  assert.equal(first.stats().dropped, 1);
  await first.close();
  const second = openTraceStore(path, { pruneEveryMs: 0 });
  t.after(() => second.close());
  assert.equal(second.stats().traces, 3);
  for (const id of ids) assert.ok(second.get(id));
});

test('retention in the writer thread is reflected in counts and reads', async (t) => {
  const path = join(tempDir(t), 'traces.db');
  const store = await openThreadedTraceStore(path, { flushDelayMs: 1, maxTraces: 2, pruneEveryMs: 20 });
  t.after(() => store.close());
  const ids = [3, 2, 1].map((ago) => {
    const id = traceId(ago);
    store.enqueue(incoming(segment(id, { start_time: Date.now() / 1000 - ago, end_time: Date.now() / 1000 - ago + 0.1 })));
    return id;
  });
  await until(() => store.stats().pruned === 1, 'the prune');
  assert.equal(store.get(ids[0]!), undefined);
  assert.equal(store.stats().traces, 2);
  assert.equal(store.stats().documents, 2);
  assert.deepEqual([...store.list()].map((r) => r.id), [ids[2], ids[1]]);
});
