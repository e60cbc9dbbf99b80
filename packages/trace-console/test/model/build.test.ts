import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildFilterTrace } from '../../src/model/build.ts';
import { archiverFault, awsCall, fetchedAndArchived, inProgress, throttledUpstream } from '../filter/fixtures.ts';

const names = (xs: Array<{ name: string; type: string; inferred: boolean }>) => xs.map((n) => `${n.name}:${n.type}${n.inferred ? ' (inferred)' : ''}`);
const edges = (xs: Array<{ source: string; destination: string }>) => xs.map((e) => `${e.source} -> ${e.destination}`);
const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

test('fetcher → archiver: the archiver segment replaces the inferred node, remote calls become nodes', () => {
  const t = buildFilterTrace(fetchedAndArchived());
  assert.equal(t.id, '1-6746f0e0-a1b2c3d4e5f6a7b8c9d0e1f2');
  assert.deepEqual(names(t.services), ['fetcher:service', 'archiver:service', 'example.com:remote (inferred)', 'sqlite:remote (inferred)']);
  assert.deepEqual(edges(t.edges), ['client -> fetcher', 'fetcher -> example.com', 'fetcher -> archiver', 'archiver -> sqlite']);
  const call = t.edges[2];
  assert.ok(close(call.responseTime, 0.15), 'edge time is the caller subsegment (round trip)');
  assert.ok(close(t.services[1].responseTime, 0.13), 'node time is the callee segment');
  assert.equal(t.services[0].root, true);
  assert.equal(t.services[1].root, false);
  assert.ok(close(t.responseTime, 0.42) && close(t.duration, 0.42));
  assert.deepEqual({ ...t.annotations }, { remote_url: ['https://example.com/page'], remote_status: [200], archive_id: ['01JDQ0Z8K3M4N5P6Q7R8S9T0VW'] });
  assert.deepEqual(t.http, { url: 'http://127.0.0.1:8081/fetch/https://example.com/page', method: 'GET', status: 200, useragent: 'fetcher-cli/0.1', clientip: '127.0.0.1' });
  assert.deepEqual(t.users, ['alice']);
  assert.deepEqual([t.ok, t.error, t.throttle, t.fault, t.partial], [true, false, false, false, false]);
});

test('document order and embedding do not matter', () => {
  const docs = fetchedAndArchived();
  const a = buildFilterTrace(docs);
  const b = buildFilterTrace([...docs].reverse());
  assert.deepEqual(b, a);
});

test('throttle is any segment; ok/error/fault are the root segment', () => {
  const t = buildFilterTrace(throttledUpstream());
  assert.deepEqual([t.ok, t.error, t.throttle, t.fault], [true, false, true, false]);
  const upstream = t.services.find((n) => n.name === 'api.example.org')!;
  assert.deepEqual([upstream.error, upstream.throttle, upstream.inferred], [true, true, true]);
  // No archiver segment joined this trace, so the call stays an inferred remote node.
  assert.ok(t.services.some((n) => n.name === 'archiver' && n.inferred && n.type === 'remote'));
});

test('a fault is blamed on the deepest faulted entity', () => {
  const t = buildFilterTrace(archiverFault());
  assert.deepEqual([t.ok, t.fault, t.http.status], [false, true, 503]);
  assert.equal(t.faultRootCauses?.length, 1);
  const cause = t.faultRootCauses![0];
  assert.deepEqual(cause.service, { name: 'sqlite', type: 'remote', inferred: true });
  assert.deepEqual(cause.entities[0].exceptions, [{ name: 'SqliteError', message: 'database is locked', remote: false }]);
  const archiver = t.services.find((n) => n.name === 'archiver' && !n.inferred)!;
  assert.deepEqual(archiver.exceptions.map((e) => e.name), ['SqliteError']);
  assert.equal(t.responseTimeRootCauses?.[0].service.name, 'sqlite');
});

test('an in-progress segment makes the trace partial and its times lower bounds', () => {
  const t = buildFilterTrace(inProgress());
  assert.equal(t.partial, true);
  assert.ok(close(t.responseTime, 5.01), `responseTime ${t.responseTime}`);
  assert.equal(t.services[0].partial, true);
  assert.equal(t.http.status, undefined);
});

test('a complete version of a segment replaces its in-progress version, whatever the order', () => {
  const [open, sub] = inProgress();
  const done = { ...open, in_progress: undefined, end_time: 1732700004 + 6, http: { request: { method: 'GET' }, response: { status: 200 } } };
  for (const docs of [[open, sub, done], [done, sub, open]]) {
    const t = buildFilterTrace(docs);
    assert.equal(t.partial, false);
    assert.ok(close(t.responseTime, 6));
  }
});

test('origin, aws metadata and AWS SDK calls become node fields and types', () => {
  const t = buildFilterTrace(awsCall());
  assert.deepEqual(names(t.services), ['users:AWS::EC2::Instance', 'DynamoDB:AWS::DynamoDB::Table (inferred)']);
  const users = t.services[0];
  assert.deepEqual([users.accountId, users.availabilityZone, users.instanceId, users.resourceArn], ['123456789012', 'us-east-1a', 'i-0abc', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc']);
  assert.deepEqual(t.annotations.age, [31, 'thirty-one']);
  assert.deepEqual(t.annotations.premium, [true, false]);
});

test('garbage in, an empty trace out: no throw', () => {
  const t = buildFilterTrace([null as unknown as object, { name: 'x' }, { id: 42 }, [] as unknown as object, { type: 'subsegment', id: 'o1', parent_id: 'nowhere', name: 'orphan', start_time: 1, end_time: 2 }]);
  assert.deepEqual(t.services, []);
  assert.equal(t.duration, 0);
  const withProto = buildFilterTrace([{ name: 's', id: 's1', trace_id: '1-a-b', start_time: 1, end_time: 2, annotations: JSON.parse('{"__proto__": "x", "ok": {"no": 1}}') }]);
  assert.deepEqual(Object.keys(withProto.annotations), ['__proto__']);
});
