/**
 * `GET /api/diff` against the real trace-console process fed over UDP: two traces aligned
 * span by span (durations, deltas, spans only in one, errors that appear or vanish, the
 * critical path of each), `b=typical`, and the errors for unknown or missing ids.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { datagram, fetchTrace, traceId } from '../fixtures.ts';

test('trace diff', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db') });

  await t.test('two traces aligned span by span', async () => {
    const a = fetchTrace();
    const b = fetchTrace({ status: 502, upstreamStatus: 503 });
    // B failed upstream, its archiver took 0.1 s longer, and it made one more call (retry).
    const slow = { ...b.archiver, end_time: b.archiver.end_time + 0.1 };
    const bFetcher = { ...b.fetcher, end_time: b.fetcher.end_time + 0.1, subsegments: [b.fetcher.subsegments[0], { ...b.fetcher.subsegments[1], end_time: b.fetcher.subsegments[1].end_time + 0.1 }, { id: 'abcdefabcdef0001', name: 'retry', start_time: b.fetcher.start_time + 0.5, end_time: b.fetcher.start_time + 0.55 }] };
    await tc.send(datagram(a.fetcher), datagram(a.archiver), datagram(bFetcher), datagram(slow));
    await tc.waitForTrace(a.trace, (tr) => tr.segments.length === 2);
    await tc.waitForTrace(b.trace, (tr) => tr.segments.length === 2);
    const { status, json: d } = await tc.get(`/api/diff?a=${a.trace}&b=${b.trace}`);
    assert.equal(status, 200, JSON.stringify(d));
    assert.equal(d.a.id, a.trace);
    assert.equal(d.b.id, b.trace);
    assert.ok(Math.abs(d.delta - 0.1) < 1e-6, String(d.delta));
    const row = (name: string) => d.rows.find((r: any) => r.name === name && r.depth === 1);
    assert.deepEqual(d.rows.map((r: any) => [r.depth, r.service, r.name]), [
      [0, 'fetcher', 'fetcher'],
      [1, 'fetcher', 'example.test'],
      [1, 'fetcher', 'archiver'],
      [2, 'archiver', 'archiver'],
      [1, 'fetcher', 'retry'],
    ]);
    assert.equal(d.rows[0].error_change, 'appeared');
    assert.equal(row('example.test').error_change, 'appeared');
    assert.ok(Math.abs(d.rows[3].delta - 0.1) < 1e-6);
    assert.equal(row('retry').only, 'b');
    assert.equal(row('retry').a, undefined);
    assert.deepEqual(d.counts, { matched: 4, only_a: 0, only_b: 1, errors_appeared: 2, errors_vanished: 0 });
    assert.equal(d.a.critical_path[0], 'fetcher: fetcher');
    assert.ok(d.a.critical_path.includes('archiver: archiver'), d.a.critical_path.join());
    assert.equal(d.rows[3].b.critical, true);
    // Reversed, what appeared vanishes and what was only in B is only in A.
    const back = (await tc.get(`/api/diff?a=${b.trace}&b=${a.trace}`)).json;
    assert.deepEqual(back.counts, { matched: 4, only_a: 1, only_b: 0, errors_appeared: 0, errors_vanished: 2 });
  });

  await t.test('b=typical: the trace of the same URL nearest its median duration', async () => {
    const traces = [0.5, 0.6, 0.8, 1.0, 5.0].map((d) => {
      const f = fetchTrace({ host: 'typical.test' });
      return { f, doc: { ...f.fetcher, end_time: f.fetcher.start_time + d } };
    });
    await tc.send(...traces.map((x) => datagram(x.doc)));
    for (const x of traces) await tc.waitForTrace(x.f.trace);
    const slow = traces[4]!.f.trace;
    const { status, json } = await tc.get(`/api/diff?a=${slow}&b=typical`);
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.b.id, traces[2]!.f.trace, 'median of 0.5, 0.6, 0.8, 1.0, 5.0 s is 0.8 s');
    assert.ok(Math.abs(json.delta - (0.8 - 5.0)) < 1e-6);
  });

  await t.test('unknown ids are a 404, a missing one a 400, both in the contract shape', async () => {
    const unknown = await tc.get(`/api/diff?a=${traceId()}&b=typical`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'not_found');
    assert.match(unknown.json.detail, /diagnosis/);
    const missing = await tc.get(`/api/diff?a=${traceId()}`);
    assert.equal(missing.status, 400);
    assert.equal(missing.json.code, 'validation_failed');
  });
});
