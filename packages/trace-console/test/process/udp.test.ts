/** trace-console as a real process fed by a dgram client: traces, filters, service graph, diagnostics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { datagram, fetchTrace, segment, spanId, traceId } from '../fixtures.ts';

test('trace-console over UDP', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), args: ['--settle', '300ms'] });

  await t.test('a fetcher → archiver trace: in-progress then complete, documents as received', async () => {
    const { trace, fetcher, archiver } = fetchTrace();
    const running = { ...fetcher, end_time: undefined, in_progress: true, subsegments: undefined };
    await tc.send(datagram(running), datagram(archiver));
    await tc.waitForTrace(trace, (tr) => tr.segments.length === 2);
    // The SDK form of the header (with spaces) is accepted too.
    await tc.send(datagram(fetcher, '{"format": "json", "version": 1}'));
    const got = await tc.waitForTrace(trace, (tr) => tr.segments.every((s: any) => s.in_progress !== true));
    assert.equal(got.id, trace);
    assert.equal(got.segments.length, 2);
    const byName = Object.fromEntries(got.segments.map((s: any) => [s.name, s]));
    assert.deepEqual(byName.fetcher, JSON.parse(JSON.stringify(fetcher)));
    assert.deepEqual(byName.archiver, archiver);
    assert.ok(Math.abs(got.duration - 0.5) < 1e-6);

    const { json } = await tc.get(`/api/traces?since=${Math.floor(fetcher.start_time) - 1}`);
    const row = json.traces.find((r: any) => r.id === trace);
    assert.deepEqual(
      { method: row.method, url: row.url, status: row.status, services: [...row.services].sort(), error: row.error, fault: row.fault, throttle: row.throttle },
      { method: 'GET', url: 'http://127.0.0.1:8081/fetch/http://example.test/page', status: 200, services: ['archiver', 'fetcher'], error: false, fault: false, throttle: false },
    );
    assert.deepEqual(row.annotations, { remote_url: ['http://example.test/page'], remote_status: [200] });
    assert.equal(row.start_time, fetcher.start_time);
  });

  await t.test('an unknown trace is a 404 in the contract shape', async () => {
    const { status, json } = await tc.get(`/api/traces/${traceId()}`);
    assert.equal(status, 404);
    assert.equal(json.code, 'not_found');
    assert.equal(json.status, 404);
    assert.equal(typeof json.id, 'string');
  });

  await t.test('filters select traces; a syntax error is a 400 naming the position', async () => {
    const ok = fetchTrace();
    const fault = fetchTrace({ status: 502, upstreamStatus: 503 });
    const missing = fetchTrace({ status: 404, upstreamStatus: 404, host: 'other.test' });
    for (const f of [ok, fault, missing]) await tc.send(datagram(f.fetcher), datagram(f.archiver));
    for (const f of [ok, fault, missing]) await tc.waitForTrace(f.trace, (tr) => tr.segments.length === 2);
    const mine = new Map([[ok.trace, 'ok'], [fault.trace, 'fault'], [missing.trace, 'missing']]);
    const cases: [string, string[]][] = [
      ['service("archiver")', ['ok', 'fault', 'missing']],
      ['fault', ['fault']],
      ['error AND !fault', ['missing']],
      ['ok', ['ok']],
      ['http.status = 404', ['missing']],
      ['http.status >= 500 OR http.status = 404', ['fault', 'missing']],
      ['annotation.remote_status = 503', ['fault']],
      ['http.url CONTAINS "other.test"', ['missing']],
      ['http.method = "GET" AND NOT service("other.test")', ['ok', 'fault']],
      ['responsetime > 100', []],
      ['duration < 1 AND (fault OR ok)', ['ok', 'fault']],
    ];
    for (const [filter, expected] of cases) {
      const { status, json } = await tc.get(`/api/traces?limit=1000&filter=${encodeURIComponent(filter)}`);
      assert.equal(status, 200, filter);
      const names = json.traces.map((r: any) => mine.get(r.id)).filter(Boolean).sort();
      assert.deepEqual(names, [...expected].sort(), filter);
    }
    const bad = await tc.get(`/api/traces?filter=${encodeURIComponent('http.status >= ')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'invalid_filter');
    assert.equal(bad.json.status, 400);
    assert.equal(bad.json.position, 15);
    assert.match(bad.json.detail, /position 15/);
    assert.ok(Array.isArray(bad.json.expected) && bad.json.expected.length > 0);
    const badTime = await tc.get('/api/traces?since=yesterday');
    assert.equal(badTime.status, 400);
    assert.match(badTime.json.detail, /since/);
  });

  await t.test('since/until take epoch seconds or ISO times; newest first; limit', async () => {
    const { json: all } = await tc.get('/api/traces?limit=1000');
    const starts = all.traces.map((r: any) => r.start_time);
    assert.deepEqual(starts, [...starts].sort((a: number, b: number) => b - a));
    const newest = all.traces[0];
    const iso = new Date(newest.start_time * 1000).toISOString();
    const { json: since } = await tc.get(`/api/traces?since=${encodeURIComponent(iso)}`);
    assert.ok(since.traces.some((r: any) => r.id === newest.id));
    const { json: until } = await tc.get(`/api/traces?until=${newest.start_time - 3600}`);
    assert.equal(until.traces.length, 0);
    const { json: one } = await tc.get('/api/traces?limit=1');
    assert.equal(one.traces.length, 1);
  });

  await t.test('service graph: client → fetcher → archiver, and the upstream host as a remote node', async () => {
    const { json } = await tc.get('/api/service-graph');
    const node = (name: string) => json.services.find((s: any) => s.name === name);
    assert.equal(node('fetcher').type, 'service');
    assert.equal(node('archiver').type, 'service');
    assert.equal(node('example.test').type, 'remote');
    const client = json.services.find((s: any) => s.type === 'client');
    const toFetcher = client.edges.find((e: any) => e.to === 'fetcher');
    assert.ok(toFetcher.count >= 4);
    assert.ok(toFetcher.faults >= 1 && toFetcher.errors >= 1);
    const fetcherEdges = Object.fromEntries(node('fetcher').edges.map((e: any) => [e.to, e]));
    assert.equal(fetcherEdges.archiver.to_type, 'service');
    assert.equal(fetcherEdges['example.test'].to_type, 'remote');
    assert.equal(fetcherEdges['other.test'].errors, 1);
    const latency = fetcherEdges.archiver.latency;
    assert.ok(latency.p50 > 0.2 && latency.p50 <= latency.p90 && latency.p90 <= latency.p99, JSON.stringify(latency));
    // The archiver's segment joined: no remote node named archiver.
    assert.equal(json.services.filter((s: any) => s.name === 'archiver').length, 1);
    const { json: empty } = await tc.get(`/api/service-graph?until=${Math.floor(Date.now() / 1000) - 7200}`);
    assert.deepEqual(empty.services, []);
  });

  await t.test('bad input is counted per sender with a sample and a fix, and never stops ingest', async () => {
    const trace = traceId();
    const old = `1-${Math.floor(Date.now() / 1000 - 40 * 86400).toString(16)}-${'a'.repeat(24)}`;
    const big = segment(traceId(), { metadata: { default: { blob: 'x'.repeat(64_100) } } });
    const sender = await tc.send(
      Buffer.from('{"format":"json","version":1}\n{not json'),
      Buffer.from('no newline at all'),
      datagram(segment(trace), '{"format":"xml","version":1}'),
      datagram(big),
      datagram({ name: 'half', trace_id: trace }),
      datagram(segment(old)),
      datagram({ ...segment(trace, { name: 'sub' }), type: 'subsegment', parent_id: spanId() }),
      datagram({ ...segment(traceId(), { name: 'stuck' }), end_time: undefined, in_progress: true }),
      datagram(segment(trace, { name: 'fine' })),
    );
    let report: any;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { json } = await tc.get('/api/diagnostics');
      report = json.senders.find((s: any) => s.sender === sender);
      if (report && report.counts.orphan_subsegment === 1 && report.counts.in_progress === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(report, 'the sender is listed');
    assert.equal(report.received, 9);
    assert.equal(report.accepted, 3);
    assert.deepEqual(
      { ...report.counts },
      { malformed: 2, invalid_header: 1, oversized: 1, missing_fields: 1, rejected_trace_id: 1, orphan_subsegment: 1, in_progress: 1, unsupported: 0, dropped: 0 },
    );
    for (const [kind, p] of Object.entries<any>(report.problems)) {
      assert.ok(p.sample.length > 0, kind);
      assert.ok(p.fix.length > 0 && !p.fix.includes('\n'), kind);
      assert.ok(p.detail.length > 0, kind);
    }
    assert.match(report.problems.oversized.detail, /over the 64000-byte limit/);
    assert.match(report.problems.rejected_trace_id.detail, /30 days/);
    assert.match(report.problems.missing_fields.detail, /id/);
    // The good document in the same burst was stored.
    await tc.waitForTrace(trace, (tr) => tr.segments.some((s: any) => s.name === 'fine'));
  });
});
