/** The trace store: versions, joins, summaries, retention, bounded queue, restarts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openTraceStore, type IncomingDocument, type TraceStoreOptions } from '../../src/store/store.ts';
import { tempDir } from '@tfa/test-helpers/tmp';
import { fetchTrace, segment, spanId, traceId } from '../fixtures.ts';

const incoming = (doc: Record<string, unknown>): IncomingDocument => ({
  traceId: doc.trace_id as string,
  id: doc.id as string,
  inProgress: doc.in_progress === true,
  raw: JSON.stringify(doc),
});

function open(t: import('node:test').TestContext, options: TraceStoreOptions = {}, path = ':memory:') {
  const store = openTraceStore(path, { pruneEveryMs: 0, ...options });
  t.after(() => store.close());
  return store;
}

test('an in-progress segment is replaced by its completed version, never the other way round', (t) => {
  const store = open(t);
  const trace = traceId();
  const done = segment(trace, { name: 'fetcher' });
  const running = { ...done, end_time: undefined, in_progress: true };
  store.enqueue(incoming(running));
  store.flush();
  assert.equal(store.get(trace)!.partial, 1);
  store.enqueue(incoming(done));
  store.flush();
  assert.equal(store.get(trace)!.partial, 0);
  // A late, reordered in-progress copy must not undo the completion.
  store.enqueue(incoming(running));
  store.flush();
  const docs = store.documents(trace)!;
  assert.equal(docs.length, 1);
  assert.equal((docs[0] as { in_progress?: boolean }).in_progress, undefined);
  assert.equal(store.get(trace)!.partial, 0);
});

test('the newest version of each document id wins and documents come back as received', (t) => {
  const store = open(t);
  const trace = traceId();
  const first = segment(trace, { name: 'v1' });
  const second = { ...first, name: 'v2', annotations: { k: 'v' } };
  store.enqueue(incoming(first));
  store.enqueue(incoming(second));
  store.flush();
  assert.deepEqual(store.rawDocuments(trace), [JSON.stringify(second)]);
  assert.deepEqual(store.get(trace)!.services, ['v2']);
  assert.deepEqual(store.get(trace)!.annotations, { k: ['v'] });
});

test('independent subsegments join their segment; a joined callee segment replaces the inferred node', (t) => {
  const store = open(t);
  const { trace, fetcher, archiver, ids } = fetchTrace({ status: 502, upstreamStatus: 503 });
  // Send the upstream call as an independent subsegment, as SDKs do when streaming.
  const [upstream, archiverCall] = fetcher.subsegments;
  const parent = { ...fetcher, subsegments: [archiverCall] };
  const independent = { ...upstream, type: 'subsegment', trace_id: trace, parent_id: ids.fetcherId };
  for (const d of [independent, archiver, parent]) store.enqueue(incoming(d as Record<string, unknown>));
  store.flush();
  const row = store.get(trace)!;
  assert.equal(row.documents, 3);
  assert.deepEqual([...row.services].sort(), ['archiver', 'fetcher']);
  assert.equal(row.fault, 1);
  assert.equal(row.http_status, 502);
  assert.equal(row.http_method, 'GET');
  const model = store.filterTrace(trace)!;
  const edges = model.edges.map((e) => `${e.source}->${e.destination}:${e.destinationType}`).sort();
  assert.deepEqual(edges, ['client->fetcher:service', 'fetcher->archiver:service', 'fetcher->example.test:remote']);
});

test('listeners hear about each new or updated trace once per commit', (t) => {
  const store = open(t);
  const seen: string[] = [];
  store.onTrace((row) => seen.push(`${row.id}@${row.revision}`));
  const a = traceId();
  const b = traceId();
  store.enqueue(incoming(segment(a)));
  store.enqueue(incoming(segment(a)));
  store.enqueue(incoming(segment(b)));
  store.flush();
  store.enqueue(incoming(segment(a)));
  store.flush();
  assert.deepEqual(seen, [`${a}@1`, `${b}@1`, `${a}@2`]);
});

test('the queue is bounded and counts what it drops', (t) => {
  const store = open(t, { maxQueue: 2 });
  const trace = traceId();
  assert.equal(store.enqueue(incoming(segment(trace))), true);
  assert.equal(store.enqueue(incoming(segment(trace))), true);
  assert.equal(store.enqueue(incoming(segment(trace))), false);
  store.flush();
  assert.equal(store.stats().dropped, 1);
  assert.equal(store.stats().documents, 2);
});

test('retention prunes the oldest traces beyond the count limit', (t) => {
  const store = open(t, { maxTraces: 3 });
  const traces = [5, 4, 3, 2, 1].map((ago) => {
    const trace = traceId(ago);
    store.enqueue(incoming(segment(trace, { start_time: Date.now() / 1000 - ago, end_time: Date.now() / 1000 - ago + 0.1 })));
    return trace;
  });
  store.flush();
  assert.equal(store.prune(), 2);
  assert.deepEqual([...store.list()].map((r) => r.id), traces.slice(2).reverse());
  assert.equal(store.documents(traces[0]!), undefined);
  assert.equal(store.stats().documents, 3);
});

test('retention prunes traces idle longer than the retention period', (t) => {
  let now = Date.now();
  const store = open(t, { retentionMs: 60_000, now: () => now });
  const old = traceId();
  store.enqueue(incoming(segment(old)));
  store.flush();
  now += 30_000;
  const fresh = traceId();
  store.enqueue(incoming(segment(fresh)));
  store.flush();
  now += 45_000; // old: idle 75 s; fresh: idle 45 s
  assert.equal(store.prune(), 1);
  assert.equal(store.get(old), undefined);
  assert.ok(store.get(fresh));
});

test('listing honours the time window, the keyset cursor and an SQL prefilter', (t) => {
  const store = open(t);
  const now = Date.now() / 1000;
  const ids = [30, 20, 10].map((ago, i) => {
    const trace = traceId(ago);
    store.enqueue(incoming(segment(trace, { start_time: now - ago, end_time: now - ago + i + 1, http: { response: { status: 200 + i * 100 } } })));
    return trace;
  });
  store.flush();
  assert.deepEqual([...store.list({ since: now - 25 })].map((r) => r.id), [ids[2], ids[1]]);
  assert.deepEqual([...store.list({ until: now - 25 })].map((r) => r.id), [ids[0]]);
  const newest = store.get(ids[2]!)!;
  assert.deepEqual([...store.list({ before: { start: newest.start_time, id: newest.id } })].map((r) => r.id), [ids[1], ids[0]]);
  assert.deepEqual([...store.list({ prefilter: { where: 'http_status >= ?', params: [300] } })].map((r) => r.id), [ids[2], ids[1]]);
});

test('traces survive a restart', (t) => {
  const path = join(tempDir(t), 'nested', 'traces.db');
  const { trace, fetcher, archiver } = fetchTrace();
  const first = openTraceStore(path, { pruneEveryMs: 0 });
  first.enqueue(incoming(fetcher as Record<string, unknown>));
  first.enqueue(incoming(archiver));
  first.close(); // commits what is queued
  const second = open(t, {}, path);
  assert.equal(second.documents(trace)!.length, 2);
  assert.deepEqual([...second.get(trace)!.services].sort(), ['archiver', 'fetcher']);
  assert.equal(second.filterTrace(trace)!.edges.length, 3);
  // New documents for the same trace update the persisted summary.
  second.enqueue(incoming({ ...segment(trace), name: 'late', id: spanId() }));
  second.flush();
  assert.equal(second.get(trace)!.revision, 2);
});

test('background retention works off a backlog larger than one step', async (t) => {
  const store = open(t, { maxTraces: 10, pruneEveryMs: 20 });
  for (let i = 0; i < 2_500; i++) store.enqueue(incoming(segment(traceId())));
  store.flush();
  const deadline = Date.now() + 5_000;
  while (store.stats().traces > 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(store.stats().traces, 10);
  assert.equal(store.stats().documents, 10);
  assert.equal(store.stats().pruned, 2_490);
});

test('a file written before trace_annotations existed gets it filled in on open', async (t) => {
  const path = join(tempDir(t), 'old.db');
  const first = openTraceStore(path, { pruneEveryMs: 0 });
  const trace = traceId();
  first.enqueue(incoming(segment(trace, { annotations: { n: 7, s: 'x', b: true } })));
  first.close();
  // Make it look like the older layout: no annotation rows, schema version 0.
  const { DatabaseSync } = await import('node:sqlite');
  const raw = new DatabaseSync(path);
  raw.exec('DELETE FROM trace_annotations; PRAGMA user_version = 0;');
  raw.close();
  const second = open(t, {}, path);
  const { compileQuery } = await import('../../src/api/query.ts');
  for (const filter of ['annotation.n = 7', 'annotation.s = "x"', 'annotation.b = true']) {
    assert.deepEqual([...second.list({ prefilter: compileQuery(filter).prefilter })].map((r) => r.id), [trace], filter);
  }
});
