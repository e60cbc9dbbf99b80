/**
 * The OTLP doors beside port 2000: OTLP/gRPC and OTLP/HTTP on their own ports, driven by
 * clients that are not ours: the stock `@opentelemetry/exporter-trace-otlp-grpc` and
 * `@grpc/grpc-js` loaded from the official .proto with `@grpc/proto-loader`. Ephemeral
 * ports only; the default ports are never bound here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { SpanKind } from '@opentelemetry/api';
import { startConsole } from '@tfa/test-helpers/console';
import { run } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';
import { jsonRequest, otelTraceId, xrayId } from '../fixtures.ts';

const PROTO_DIR = fileURLToPath(new URL('../../src/otlp/proto/', import.meta.url));

/** A TraceService client made by grpc-js from the official trace_service.proto. */
function traceServiceClient(address: string, options: grpc.ChannelOptions = {}): any {
  const definition = protoLoader.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto', { includeDirs: [PROTO_DIR], longs: String, defaults: false });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  return new pkg.opentelemetry.proto.collector.trace.v1.TraceService(address, grpc.credentials.createInsecure(), options);
}

/** jsonRequest with the ids as bytes, as proto-loader's object form wants them. */
function request(traceId: string, serverId: string, clientId: string): any {
  const req = jsonRequest(traceId, serverId, clientId);
  for (const span of req.resourceSpans[0]!.scopeSpans[0]!.spans as Record<string, unknown>[]) {
    for (const key of ['traceId', 'spanId', 'parentSpanId']) if (typeof span[key] === 'string') span[key] = Buffer.from(span[key] as string, 'hex');
  }
  return req;
}

function exportCall(client: any, req: unknown, metadata = new grpc.Metadata()): Promise<{ err: grpc.ServiceError | null; res: any }> {
  return new Promise((resolve) => client.Export(req, metadata, { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, res: any) => resolve({ err, res })));
}

const ids = () => [randomBytes(8).toString('hex'), randomBytes(8).toString('hex')] as const;

test('OTLP/gRPC and OTLP/HTTP doors', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), args: ['--otlp-grpc', '127.0.0.1:0', '--otlp-http', '127.0.0.1:0'] });
  const listening = await tc.waitFor('trace-console listening');
  const grpcAddress = listening.otlp_grpc as string;
  const httpAddress = listening.otlp_http as string;
  assert.match(grpcAddress, /^127\.0\.0\.1:\d+$/);
  assert.match(httpAddress, /^http:\/\/127\.0\.0\.1:\d+$/);
  const client = traceServiceClient(grpcAddress, { 'grpc.default_compression_algorithm': 2 /* gzip */ });
  t.after(() => client.close());

  await t.test('the stock OTel gRPC exporter, W3C (random) trace id: spans show in /api/traces', async () => {
    const exporter = new OTLPTraceExporter({ url: `http://${grpcAddress}` });
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'grpc-exported' }), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const span = provider.getTracer('door-test').startSpan('GET /door', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 } });
    const traceId = span.spanContext().traceId;
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    const trace = await tc.waitForTrace(xrayId(traceId));
    assert.equal(trace.segments[0].name, 'grpc-exported');
    const { json } = await tc.get(`/api/traces?filter=${encodeURIComponent('service("grpc-exported")')}`);
    assert.ok(json.traces.some((tr: any) => tr.id === xrayId(traceId)), JSON.stringify(json));
  });

  await t.test('grpc-js from the .proto, gzip: an empty answer and both spans stored', async () => {
    const traceId = otelTraceId();
    const [serverId, clientId] = ids();
    const { err, res } = await exportCall(client, request(traceId, serverId, clientId));
    assert.equal(err, null);
    assert.equal(res.partialSuccess, undefined);
    await tc.waitForTrace(xrayId(traceId), (tr) => tr.segments.length === 2);
  });

  await t.test('spans the console refuses come back as partial success', async () => {
    const good = otelTraceId();
    const [serverId, clientId] = ids();
    const req = request(good, serverId, clientId);
    // X-Ray's OTLP endpoint takes spans up to 14 days old.
    const old = BigInt(Date.now() - 20 * 86_400_000) * 1_000_000n;
    Object.assign(req.resourceSpans[0].scopeSpans[0].spans[1], { startTimeUnixNano: String(old), endTimeUnixNano: String(old + 1_000_000n) });
    const { err, res } = await exportCall(client, req);
    assert.equal(err, null);
    assert.equal(res.partialSuccess?.rejectedSpans, '1', JSON.stringify([res, (await tc.get('/api/diagnostics')).json, req.resourceSpans[0].scopeSpans[0].spans]));
    assert.match(res.partialSuccess.errorMessage, /1 of 2 spans refused/);
    await tc.waitForTrace(xrayId(good));
  });

  await t.test('a malformed message is INVALID_ARGUMENT', async () => {
    const raw = new grpc.Client(grpcAddress, grpc.credentials.createInsecure());
    t.after(() => raw.close());
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      raw.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x07]), (e) => resolve(e!)),
    );
    assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
    assert.match(err.details, /invalid OTLP protobuf/);
  });

  await t.test('a message that inflates past 5 MB is RESOURCE_EXHAUSTED', async () => {
    const [serverId, clientId] = ids();
    const req = request(otelTraceId(), serverId, clientId);
    req.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({ key: 'big', value: { stringValue: 'a'.repeat(6 * 1024 * 1024) } });
    const { err } = await exportCall(client, req);
    assert.equal(err?.code, grpc.status.RESOURCE_EXHAUSTED, String(err));
    // The door still serves after refusing it.
    const again = await exportCall(client, request(otelTraceId(), ...ids()));
    assert.equal(again.err, null);
  });

  await t.test('OTLP/HTTP on its own door: gzip protobuf and JSON', async () => {
    const traceId = otelTraceId();
    const [serverId, clientId] = ids();
    const res = await fetch(`${httpAddress}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(jsonRequest(traceId, serverId, clientId))) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    await tc.waitForTrace(xrayId(traceId), (tr) => tr.segments.length === 2);
    const health = await fetch(`${httpAddress}/health`);
    assert.equal(await health.text(), 'OK');
    const other = await fetch(`${httpAddress}/api/traces`);
    assert.equal(other.status, 404, 'the OTLP door serves OTLP only');
  });
});

test('with a token, the gRPC door wants it as authorization metadata', async (t) => {
  const token = 'door-token-0123456789';
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), token, args: ['--otlp-grpc', '127.0.0.1:0'] });
  const { otlp_grpc: address } = await tc.waitFor('trace-console listening');
  const client = traceServiceClient(address);
  t.after(() => client.close());
  const refused = await exportCall(client, request(otelTraceId(), ...ids()));
  assert.equal(refused.err?.code, grpc.status.UNAUTHENTICATED);
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  const traceId = otelTraceId();
  const ok = await exportCall(client, request(traceId, ...ids()), metadata);
  assert.equal(ok.err, null);
  await tc.waitForTrace(xrayId(traceId));
});

test('a busy if-free door (the defaults) is one warning; a busy explicit door is an error', async (t) => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => holder.close(() => r())));
  const busy = (holder.address() as AddressInfo).port;
  const db = join(tempDir(t), 'traces.db');

  const tc = await startConsole(t, { db, args: ['--otlp-grpc', `if-free:127.0.0.1:${busy}`, '--otlp-http', `if-free:127.0.0.1:${busy}`] });
  const listening = await tc.waitFor('trace-console listening');
  assert.equal(listening.otlp_grpc, null);
  assert.equal(listening.otlp_http, null);
  const warnings = tc.lines.filter((l) => l.startsWith('trace-console: warning:'));
  assert.deepEqual(warnings, [
    `trace-console: warning: OTLP/gRPC 127.0.0.1:${busy} is already in use (another collector?); running without it (set --otlp-grpc HOST:PORT or --otlp-grpc off)`,
    `trace-console: warning: OTLP/HTTP 127.0.0.1:${busy} is already in use (another collector?); running without it (set --otlp-http HOST:PORT or --otlp-http off)`,
  ]);
  assert.equal((await tc.get('/health')).status, 200);
  await tc.stop();

  for (const flag of ['--otlp-grpc', '--otlp-http']) {
    const other = flag === '--otlp-grpc' ? '--otlp-http' : '--otlp-grpc';
    const r = await run('trace-console', ['--listen', '127.0.0.1:0', '--db', db, flag, `127.0.0.1:${busy}`, other, 'off']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim(), `trace-console: OTLP/${flag === '--otlp-grpc' ? 'gRPC' : 'HTTP'} 127.0.0.1:${busy} is already in use; stop what holds it, or move the door with ${flag}`);
  }
});

test('door flags: a bad value names the setting; the defaults are in --help', async () => {
  const bad = await run('trace-console', ['--otlp-grpc', 'nowhere', '--db', ':memory:']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^trace-console: invalid --otlp-grpc "nowhere": /);
  const help = await run('trace-console', ['--help']);
  assert.match(help.stdout, /--otlp-grpc.*if-free:127\.0\.0\.1:4317/s);
  assert.match(help.stdout, /--otlp-http.*if-free:127\.0\.0\.1:4318/s);
});
