/** The ingest path in process: datagram framing, diagnostics per sender, and the settling checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../src/ingest/diagnostics.ts';
import { Ingest } from '../../src/ingest/ingest.ts';
import { SettleWatch } from '../../src/ingest/settle.ts';
import { openTraceStore } from '../../src/store/store.ts';
import { datagram, segment, spanId, traceId } from '../fixtures.ts';

function setup(t: import('node:test').TestContext) {
  const store = openTraceStore(':memory:', { pruneEveryMs: 0 });
  const diagnostics = new Diagnostics();
  const settle = new SettleWatch(store, diagnostics, 60_000);
  t.after(() => (settle.close(), store.close()));
  return { store, diagnostics, settle, ingest: new Ingest(store, diagnostics, settle) };
}

test('datagram framing: header checks, split at the first newline, body kept byte for byte', (t) => {
  const { store, diagnostics, ingest } = setup(t);
  const trace = traceId();
  const doc = segment(trace, { name: 'with\nnewline in a string' });
  const cases: [string, Buffer, string][] = [
    ['compact header', datagram(segment(trace)), 'accepted'],
    ['spaced header, upper-case format', datagram(segment(trace), '{"format": "JSON", "version": 1}'), 'accepted'],
    ['a newline inside the document', datagram(doc), 'accepted'],
    ['version 2', datagram(segment(trace), '{"format":"json","version":2}'), 'invalid_header'],
    ['version "1"', datagram(segment(trace), '{"format":"json","version":"1"}'), 'invalid_header'],
    ['header not JSON', datagram(segment(trace), 'json 1'), 'invalid_header'],
    ['nothing after the header', Buffer.from('{"format":"json","version":1}\n'), 'malformed'],
    ['no newline', Buffer.from('{"format":"json","version":1}'), 'malformed'],
    ['metrics frame', datagram('M1AAAA'), 'unsupported'],
    ['a broken T1S frame', datagram('T1S%%%%'), 'malformed'],
  ];
  for (const [name, bytes] of cases) ingest.datagram(bytes, `udp ${name}`);
  store.flush();
  for (const [name, , expected] of cases) {
    const s = diagnostics.report().find((r) => r.sender === `udp ${name}`)!;
    assert.equal(s.received, 1, name);
    if (expected === 'accepted') assert.equal(s.accepted, 1, name);
    else assert.equal(s.counts[expected as 'malformed'], 1, `${name}: ${JSON.stringify(s.counts)}`);
  }
  assert.ok(store.rawDocuments(trace).includes(JSON.stringify(doc)));
});

test('orphan subsegments and never-completed documents are reported once their settling time is over', (t) => {
  const { store, diagnostics, settle, ingest } = setup(t);
  const trace = traceId();
  const parent = segment(trace);
  const sub = (parentId: string) => JSON.stringify({ ...segment(trace), type: 'subsegment', parent_id: parentId });
  const nested = spanId();
  ingest.document(JSON.stringify({ ...parent, subsegments: [{ id: nested, name: 'inner', start_time: 1, end_time: 2 }] }), 'a');
  ingest.document(sub(nested), 'a'); // parent is an embedded subsegment: not an orphan
  ingest.document(sub(spanId()), 'b'); // parent never arrives
  const running: Record<string, unknown> = { ...segment(trace), end_time: undefined, in_progress: true };
  ingest.document(JSON.stringify(running), 'c'); // completed below
  ingest.document(JSON.stringify({ ...segment(trace), end_time: undefined, in_progress: true }), 'd'); // never completed
  ingest.document(JSON.stringify({ ...running, end_time: (running.start_time as number) + 1, in_progress: undefined }), 'c');
  store.flush();
  settle.check(Date.now()); // not due yet
  assert.ok(diagnostics.report().every((s) => s.counts.orphan_subsegment === 0 && s.counts.in_progress === 0));
  settle.check(Date.now() + 61_000);
  const counts = Object.fromEntries(diagnostics.report().map((s) => [s.sender, [s.counts.orphan_subsegment, s.counts.in_progress]]));
  assert.deepEqual(counts, { a: [0, 0], b: [1, 0], c: [0, 0], d: [0, 1] });
  assert.match(diagnostics.report().find((s) => s.sender === 'b')!.problems.orphan_subsegment!.fix, /parent/);
});
