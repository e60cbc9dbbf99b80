/**
 * End-to-end tracing: real fetcher and archiver processes send X-Ray
 * documents over UDP to a listener standing where the daemon would be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Agent, get } from 'node:http';
import { run, startArchiver, startFetcher } from '@tfa/test-helpers/process';
import { startFakeDaemon } from '@tfa/test-helpers/daemon';
import { tempDir } from '@tfa/test-helpers/tmp';
import { freeTcpPorts } from '@tfa/test-helpers/ports';
import { startSite } from '../../fetcher/test/sites.ts';
import { validateDocument } from '../../../packages/otel-xray/test/validate.ts';

const ROOT = () => `1-${Math.floor(Date.now() / 1000).toString(16)}-${'a1b2c3d4e5f6a7b8c9d0e1f2'}`;


test('one fetch yields one complete, valid X-Ray trace across both services', async (t) => {
  const dir = tempDir(t);
  const daemon = await startFakeDaemon(t);
  const site = await startSite(t);
  const dead = (await freeTcpPorts(1))[0]!;
  const env = { OTEL_TRACES_EXPORTER: 'xray', AWS_XRAY_DAEMON_ADDRESS: daemon.address };
  const archiver = await startArchiver(t, { db: join(dir, 'a.db'), env });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port},127.0.0.1:${dead}`, env });

  await t.test('segments, subsegments, annotations and the caller\'s Root and Parent', async () => {
    const root = ROOT().replace(/.{6}$/, '000001');
    const res = await fetch(`${fetcher.url}/fetch/${site.url}/text`, { headers: { 'x-amzn-trace-id': `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` } });
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.trace_id, root, 'the answer gives the trace id');
    assert.match(res.headers.get('x-amzn-trace-id')!, new RegExp(`^Root=${root};Sampled=1$`));
    const docs = await daemon.waitFor(root, (d) => d.filter((x) => x.name === 'archiver' && !x.type).length === 1 && d.some((x) => x.sql) && d.some((x) => x.name === 'fetcher'));
    for (const d of daemon.datagrams) assert.equal(d.header, '{"format":"json","version":1}');
    for (const doc of docs) assert.deepEqual(validateDocument(doc), [], JSON.stringify(doc));

    const fetcherSeg = docs.find((d) => d.name === 'fetcher' && !d.type)!;
    assert.equal(fetcherSeg.parent_id, '53995c3f42cd8ad8');
    assert.equal(fetcherSeg.http.request.method, 'GET');
    assert.equal(fetcherSeg.http.response.status, 200);
    assert.equal(fetcherSeg.http.request.client_ip, '127.0.0.1');
    assert.equal(fetcherSeg.http.request.x_forwarded_for, undefined, 'a direct client is not a forwarded one');
    assert.equal(fetcherSeg.annotations.remote_url, `${site.url}/text`);
    assert.equal(fetcherSeg.annotations.remote_status, 200);
    assert.equal(fetcherSeg.annotations.archive_id, Number(body.archive_href.split('/').pop()));

    const upstream = docs.find((d) => d.type === 'subsegment' && d.name === '127.0.0.1' && d.http?.request?.url === `${site.url}/text`)!;
    assert.ok(upstream, 'remote subsegment for the upstream GET, named after its host');
    assert.equal(upstream.namespace, 'remote');
    assert.equal(upstream.parent_id, fetcherSeg.id);
    assert.equal(upstream.http.response.status, 200);
    assert.equal(upstream.error, false);
    assert.equal(upstream.fault, false);

    const call = docs.find((d) => d.type === 'subsegment' && d.name === 'archiver')!;
    assert.ok(call, 'subsegment for the archiver call, named after the archiver');
    assert.equal(call.namespace, 'remote');
    assert.equal(call.parent_id, fetcherSeg.id);
    assert.equal(call.http.request.method, 'POST');

    const archiverSeg = docs.find((d) => d.name === 'archiver' && !d.type)!;
    assert.equal(archiverSeg.parent_id, call.id, 'the archiver joined the same trace under the call');
    assert.equal(archiverSeg.http.response.status, 201);
    assert.equal(archiverSeg.http.request.x_forwarded_for, undefined, 'the fetcher called the archiver directly');
    const sql = docs.find((d) => d.sql && d.parent_id === archiverSeg.id)!;
    assert.ok(sql, 'store operation subsegment');
    assert.equal(sql.sql.database_type, 'sqlite');
    assert.match(sql.sql.sanitized_query, /^INSERT INTO archives .*VALUES \(\?/);
    assert.doesNotMatch(sql.sql.sanitized_query, /text|127\.0\.0\.1/, 'no values in the statement');
    // Times at microseconds on one clock: every subsegment inside its parent, with no tolerance
    // (with the SDK's whole-millisecond starts a child could stick out by up to a millisecond).
    const within = (child: Record<string, any>, parent: Record<string, any>) =>
      assert.ok(parent.start_time <= child.start_time && child.end_time <= parent.end_time, `${child.name} ${child.start_time}-${child.end_time} inside ${parent.name} ${parent.start_time}-${parent.end_time}`);
    within(upstream, fetcherSeg);
    within(call, fetcherSeg);
    within(sql, archiverSeg);
    assert.ok(call.start_time <= archiverSeg.start_time, 'the archiver starts after the call to it, on the same host clock');
    assert.ok([fetcherSeg, upstream, call, archiverSeg, sql].some((d) => Math.round(d.start_time * 1e6) % 1000 !== 0), 'sub-millisecond start times');

    // request logs carry the trace
    const logLine = await fetcher.waitFor((l) => l.msg === 'request' && l.url?.includes('/fetch/') && l.trace_id === root, 5_000);
    assert.ok(logLine, 'the request log line carries trace_id');
    assert.match(logLine.span_id, /^[0-9a-f]{16}$/);
  });

  await t.test('error, throttle and fault flags follow the upstream status and network errors', async () => {
    const cases: [string, Partial<Record<'error' | 'throttle' | 'fault', boolean>>, number][] = [
      [`${site.url}/404`, { error: true, throttle: false, fault: false }, 404],
      [`${site.url}/429`, { error: true, throttle: true, fault: false }, 429],
      [`${site.url}/500`, { error: false, throttle: false, fault: true }, 500],
    ];
    for (const [url, flags, status] of cases) {
      const res = await fetch(`${fetcher.url}/fetch/${url}`);
      const { trace_id } = await res.json();
      const docs = await daemon.waitFor(trace_id, (d) => d.some((x) => x.namespace === 'remote' && x.name === '127.0.0.1' && x.http?.response));
      const sub = docs.find((x) => x.name === '127.0.0.1')!;
      assert.equal(sub.http.response.status, status);
      for (const [k, v] of Object.entries(flags)) assert.equal(sub[k], v, `${url} ${k}`);
      const seg = (await daemon.waitFor(trace_id, (d) => d.some((x) => x.name === 'fetcher'))).find((x) => x.name === 'fetcher')!;
      assert.equal(seg.annotations.remote_status, status);
      assert.equal(seg.fault, false, 'the fetcher itself answered 200');
    }
    const refused = await fetch(`${fetcher.url}/fetch/http://127.0.0.1:${dead}/`);
    assert.equal(refused.status, 502);
    const id = refused.headers.get('x-amzn-trace-id')!.split(';')[0]!.slice(5);
    const docs = await daemon.waitFor(id, (d) => d.some((x) => x.name === '127.0.0.1') && d.some((x) => x.name === 'fetcher'));
    const sub = docs.find((x) => x.name === '127.0.0.1')!;
    assert.equal(sub.fault, true);
    assert.ok(sub.cause?.exceptions?.length >= 1);
    assert.match(sub.cause.exceptions[0].type, /ECONNREFUSED|Error/);
    assert.ok(sub.cause.exceptions[0].message);
    const seg = docs.find((x) => x.name === 'fetcher')!;
    assert.equal(seg.fault, true);
    assert.equal(seg.http.response.status, 502);
  });

  await t.test('a caller that goes away before the answer still yields its segment, as a fault', async () => {
    // Two callers on one keep-alive connection each: the first is answered, the second
    // hangs and its client closes the connection. Only the second segment is the abort's.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const done = ROOT().replace(/.{6}$/, '0000c1');
    const gone = ROOT().replace(/.{6}$/, '0000c2');
    const answered = await new Promise<number>((resolve, reject) => {
      get(`${fetcher.url}/fetch/${site.url}/text`, { agent, headers: { 'x-amzn-trace-id': `Root=${done};Sampled=1` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      }).on('error', reject);
    });
    assert.equal(answered, 200);
    const req = get(`${fetcher.url}/fetch/${site.url}/hang`, { agent, headers: { 'x-amzn-trace-id': `Root=${gone};Sampled=1` } });
    req.on('error', () => {}); // the abort below
    await new Promise((r) => setTimeout(r, 300));
    req.destroy();
    const seg = (await daemon.waitFor(gone, (d) => d.some((x) => x.name === 'fetcher'))).find((x) => x.name === 'fetcher')!;
    assert.equal(seg.fault, true);
    assert.equal(seg.http?.response?.status, undefined, 'no status was sent');
    assert.equal(seg.cause?.exceptions?.[0]?.message, 'the client closed the connection');
    const first = (await daemon.waitFor(done, (d) => d.some((x) => x.name === 'fetcher'))).find((x) => x.name === 'fetcher')!;
    assert.equal(first.fault, false, 'the answered request on the same connection is not the abort');
    assert.equal(first.http.response.status, 200);
    agent.destroy();
  });

  await t.test('a traceparent caller gets the matching X-Ray trace id', async () => {
    const hex = `${Math.floor(Date.now() / 1000).toString(16)}0123456789abcdef01234567`;
    const res = await fetch(`${fetcher.url}/fetch/${site.url}/text`, { headers: { traceparent: `00-${hex}-00f067aa0ba902b7-01` } });
    const body = await res.json();
    const xray = `1-${hex.slice(0, 8)}-${hex.slice(8)}`;
    assert.equal(body.trace_id, xray);
    const docs = await daemon.waitFor(xray, (d) => d.some((x) => x.name === 'archiver' && !x.type) && d.some((x) => x.name === 'fetcher'));
    assert.equal(docs.find((x) => x.name === 'fetcher')!.parent_id, '00f067aa0ba902b7');
  });

  await t.test('a Root without a Parent (behind a load balancer) is adopted; its Sampled=0 is honoured', async () => {
    const root = ROOT().replace(/.{6}$/, '0000b1');
    const res = await fetch(`${fetcher.url}/fetch/${site.url}/text`, { headers: { 'x-amzn-trace-id': `Root=${root};Sampled=1` } });
    assert.equal((await res.json()).trace_id, root);
    const docs = await daemon.waitFor(root, (d) => d.some((x) => x.name === 'archiver' && !x.type) && d.some((x) => x.name === 'fetcher'));
    assert.equal(docs.find((x) => x.name === 'fetcher')!.parent_id, undefined);
    const unsampled = ROOT().replace(/.{6}$/, '0000b2');
    const r2 = await fetch(`${fetcher.url}/fetch/${site.url}/text`, { headers: { 'x-amzn-trace-id': `Root=${unsampled};Sampled=0` } });
    assert.equal(r2.headers.get('x-amzn-trace-id'), `Root=${unsampled};Sampled=0`);
    const after = await (await fetch(`${fetcher.url}/fetch/${site.url}/text`)).json();
    await daemon.waitFor(after.trace_id, (d) => d.some((x) => x.name === 'archiver' && !x.type));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(daemon.trace(unsampled), []);
  });

  await t.test('Sampled=0 and -00 yield no documents, and the decision travels downstream', async () => {
    const roots = [ROOT().replace(/.{6}$/, '0000a0'), `${Math.floor(Date.now() / 1000).toString(16)}0123456789abcdef0000a1b2`];
    const r1 = await fetch(`${fetcher.url}/fetch/${site.url}/text`, { headers: { 'x-amzn-trace-id': `Root=${roots[0]};Parent=53995c3f42cd8ad8;Sampled=0` } });
    assert.equal(r1.status, 200);
    assert.match(r1.headers.get('x-amzn-trace-id')!, /;Sampled=0$/);
    const r2 = await fetch(`${fetcher.url}/fetch/${site.url}/text`, { headers: { traceparent: `00-${roots[1]}-00f067aa0ba902b7-00` } });
    assert.equal(r2.status, 200);
    // a sampled request afterwards proves the pipeline was flowing
    const after = await (await fetch(`${fetcher.url}/fetch/${site.url}/text`)).json();
    await daemon.waitFor(after.trace_id, (d) => d.some((x) => x.name === 'archiver' && !x.type));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(daemon.trace(roots[0]!), []);
    assert.deepEqual(daemon.trace(`1-${roots[1]!.slice(0, 8)}-${roots[1]!.slice(8)}`), []);
  });

  await t.test('fetcher-cli prints the trace id on stderr', async () => {
    const r = await run('fetcher-cli', ['fetch', `${site.url}/text`, '--fetcher', fetcher.url]);
    assert.equal(r.code, 0);
    const id = JSON.parse(r.stdout).trace_id;
    assert.match(id, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(r.stderr.trim(), `trace_id: ${id}`);
  });

  await t.test('/health is not traced', async () => {
    const before = daemon.datagrams.length;
    const res = await fetch(`${fetcher.url}/health`);
    assert.equal(res.headers.get('x-amzn-trace-id'), null);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(daemon.datagrams.slice(before).filter((d) => d.doc.http?.request?.url?.endsWith('/health')).length, 0);
  });
});

test('a dead daemon costs requests nothing', async (t) => {
  const dir = tempDir(t);
  const site = await startSite(t);
  const dead = (await freeTcpPorts(1))[0]!;
  const env = { OTEL_TRACES_EXPORTER: 'xray', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${dead}` };
  const archiver = await startArchiver(t, { db: join(dir, 'a.db'), env });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port}`, env });
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${fetcher.url}/fetch/${site.url}/text`);
    assert.equal(res.status, 200);
    assert.match((await res.json()).trace_id, /^1-/);
  }
  assert.equal(await fetcher.stop(), 0);
  assert.equal(await archiver.stop(), 0);
});

test('a bad tracing setting stops the service with one line', async () => {
  const cases: [NodeJS.ProcessEnv, RegExp][] = [
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER/],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER/],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG/],
    [{ OTEL_PROPAGATORS: 'b3' }, /OTEL_PROPAGATORS/],
    [{ AWS_XRAY_DAEMON_ADDRESS: 'nocolon' }, /daemon address/],
  ];
  for (const [env, pattern] of cases) {
    const r = await run('archiver', ['--listen', '127.0.0.1:0', '--db', ':memory:'], { env });
    assert.equal(r.code, 2, JSON.stringify(env) + r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  }
});
