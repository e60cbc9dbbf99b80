/** The extra SQL pushdown: never loses a match; skips traces without the service, the key, or a matching value. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileQuery } from '../../src/api/query.ts';
import { openTraceStore } from '../../src/store/store.ts';
import { fetchTrace, segment, traceId } from '../fixtures.ts';

test('annotation and service prefilters never lose a match and cut the candidates', (t) => {
  const store = openTraceStore(':memory:', { pruneEveryMs: 0 });
  t.after(() => store.close());
  const enqueue = (doc: Record<string, unknown>) => store.enqueue({ traceId: doc.trace_id as string, id: doc.id as string, inProgress: false, raw: JSON.stringify(doc) });
  const fetches = [fetchTrace(), fetchTrace({ upstreamStatus: 404, host: 'other.test' }), fetchTrace({ status: 502, upstreamStatus: 503 })];
  for (const f of fetches) enqueue(f.fetcher), enqueue(f.archiver);
  const plain = [segment(traceId(), { name: 'lonely' }), segment(traceId(), { name: 'tagged', annotations: { 'odd"key': 'x', flag: false } })];
  plain.forEach(enqueue);
  store.flush();
  const cases: [string, number][] = [
    ['annotation.remote_status = 404', 1],
    ['annotation.remote_status', 3],
    ['annotation.remote_status != 200', 2],
    ['annotation.remote_status = "404"', 0],
    ['annotation.remote_url CONTAINS "other"', 1],
    ['annotation.remote_url BEGINSWITH "http://example"', 2],
    ['annotation.remote_url ENDSWITH "/page"', 3],
    ['annotation.remote_url ENDSWITH ""', 3],
    ['annotation["odd\\"key"] = "x"', 1],
    ['annotation.flag = false', 1],
    ['annotation.flag != true', 1],
    ['annotation.flag = true', 0],
    ['!annotation.remote_status', 5],
    ['annotation.nope = 1', 0],
    ['service("other.test")', 1],
    ['service("archiver") AND annotation.remote_status > 500', 1],
    ['service("lonely") OR annotation.flag', 1], // flag is only ever false: not "set"
    ['service("lonely") OR annotation["odd\\"key"]', 2],
    ['service("lonely") OR fault', 5],
    ['NOT service("lonely")', 5],
    ['service() { fault }', 5],
  ];
  for (const [filter, candidates] of cases) {
    const q = compileQuery(filter);
    const rows = [...store.list({ prefilter: q.prefilter })].map((r) => r.id);
    const all = [...store.list()].map((r) => r.id);
    const matched = all.filter((id) => q.predicate!(store.filterTrace(id)!));
    for (const id of matched) assert.ok(rows.includes(id), `${filter}: lost ${id}`);
    assert.equal(rows.length, candidates, filter);
  }
});
