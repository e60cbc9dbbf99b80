/** The critical path marked on a trace's timeline (Jaeger's definition), on X-Ray documents. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildEntityGraph } from '../../src/model/graph.ts';
import { criticalPath } from '../../src/ui/critical-path.ts';

const T = '1-6b0a0cc3-00000000ee4900003acbf368';
const seg = (id: string, start: number, end: number, subsegments: object[] = [], parent_id?: string) => ({ name: id, id: id.padEnd(16, '0'), trace_id: T, start_time: start, end_time: end, subsegments, ...(parent_id ? { parent_id: parent_id.padEnd(16, '0') } : {}) });
const sub = (id: string, start: number, end: number, subsegments: object[] = []) => ({ name: id, id: id.padEnd(16, '0'), start_time: start, end_time: end, subsegments });
const names = (docs: object[]) => [...criticalPath(buildEntityGraph(docs).root)].map((e) => e.name).sort();

test('sequential children are all on the path', () => {
  assert.deepEqual(names([seg('root', 0, 10, [sub('a', 1, 4), sub('b', 5, 9)])]), ['a', 'b', 'root']);
});

test('of overlapping children, the one finishing last wins; one hidden behind it is not on the path', () => {
  // c runs 2..6 entirely while b (1..9) runs: the root waits for b, not c.
  assert.deepEqual(names([seg('root', 0, 10, [sub('b', 1, 9), sub('c', 2, 6)])]), ['b', 'root']);
});

test('the path follows a call into the downstream segment and its subsegments', () => {
  const docs = [seg('fetcher', 0, 10, [sub('upstream', 1, 3), sub('call', 4, 9)]), seg('archiver', 4.5, 8.5, [sub('store', 5, 8)], 'call')];
  assert.deepEqual(names(docs), ['archiver', 'call', 'fetcher', 'store', 'upstream']);
});

test('a callee ending a little after the call that made it is on the path, trimmed to the call', () => {
  // The archiver's segment ends 0.2 ms after the fetcher's call to it (the archiver ends it
  // once the response is written, the fetcher may read the response first).
  const docs = [seg('fetcher', 0, 10, [sub('upstream', 1, 3), sub('call', 4, 9)]), seg('archiver', 4.5, 9.2, [sub('store', 5, 9.1)], 'call')];
  assert.deepEqual(names(docs), ['archiver', 'call', 'fetcher', 'store', 'upstream']);
  // A child starting after its parent ended is not on the path.
  assert.deepEqual(names([seg('root', 0, 10, [sub('a', 1, 4), sub('late', 10.5, 11)])]), ['a', 'root']);
});

test('no root, no path', () => {
  assert.equal(criticalPath(undefined).size, 0);
});
