/**
 * AWS's current path: OTLP signed with SigV4. Requests signed by AWS's own signer
 * (@smithy/signature-v4) are verified by a console started with credentials; a wrong
 * secret, a tampered body or no signature get X-Ray's 403. A real archiver with only
 * OTLP + SigV4 environment variables sends its spans to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ExportTraceServiceRequest } from '../../src/otlp/schema.ts';
import { startConsole } from '@tfa/test-helpers/console';
import { run, startArchiver } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';
import { jsonRequest, otelTraceId, xrayId } from '../fixtures.ts';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function protobufBody(traceId: string): Buffer {
  const json = jsonRequest(traceId, randomBytes(8).toString('hex'), randomBytes(8).toString('hex'));
  for (const span of json.resourceSpans[0]!.scopeSpans[0]!.spans as Record<string, unknown>[]) {
    for (const key of ['traceId', 'spanId', 'parentSpanId']) if (typeof span[key] === 'string') span[key] = Buffer.from(span[key] as string, 'hex');
  }
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(json)).finish());
}

/** Signs a POST of `body` to `url`'s /v1/traces as an X-Ray OTLP client would, with AWS's signer. */
async function signedPost(base: string, body: Buffer, options: { secret?: string; key?: string; send?: Buffer; gzip?: boolean; payloadHeader?: boolean } = {}) {
  const url = new URL('/v1/traces', base);
  const signer = new SignatureV4({ service: 'xray', region: 'us-east-1', credentials: { accessKeyId: options.key ?? KEY, secretAccessKey: options.secret ?? SECRET }, sha256: Sha256, applyChecksum: options.payloadHeader ?? true });
  const headers: Record<string, string> = { host: url.host, 'content-type': 'application/x-protobuf', ...(options.gzip ? { 'content-encoding': 'gzip' } : {}) };
  const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers, body }));
  const { host: _host, ...sendHeaders } = signed.headers;
  return fetch(url, { method: 'POST', headers: sendHeaders, body: new Uint8Array(options.send ?? body) });
}

test('a console started with --aws-credentials verifies SigV4 on /v1/traces', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), args: ['--aws-credentials', `${KEY}:${SECRET}`, '--otlp-http', '127.0.0.1:0'] });
  const { otlp_http: door } = await tc.waitFor('trace-console listening');

  await t.test('signed by AWS\'s signer: accepted on the console port and on the OTLP/HTTP door', async () => {
    for (const base of [tc.url, door as string]) {
      const traceId = otelTraceId();
      const res = await signedPost(base, gzipSync(protobufBody(traceId)), { gzip: true });
      assert.equal(res.status, 200, await res.clone().text());
      await tc.waitForTrace(xrayId(traceId), (tr) => tr.segments.length === 2);
    }
  });

  const refusals: [string, () => Promise<Response>, number, string][] = [
    ['a wrong secret', () => signedPost(tc.url, protobufBody(otelTraceId()), { secret: 'not-the-secret' }), 403, 'InvalidSignatureException'],
    ['a tampered body', async () => signedPost(tc.url, protobufBody(otelTraceId()), { send: protobufBody(otelTraceId()) }), 403, 'InvalidSignatureException'],
    ['a tampered body signed without x-amz-content-sha256', async () => signedPost(tc.url, protobufBody(otelTraceId()), { send: protobufBody(otelTraceId()), payloadHeader: false }), 403, 'InvalidSignatureException'],
    ['an unknown access key', () => signedPost(tc.url, protobufBody(otelTraceId()), { key: 'AKIAUNKNOWNKEY000000' }), 403, 'UnrecognizedClientException'],
    ['no signature', () => fetch(`${tc.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(protobufBody(otelTraceId())) }), 403, 'MissingAuthenticationTokenException'],
    ['no signature on the OTLP/HTTP door', () => fetch(`${door}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(protobufBody(otelTraceId())) }), 403, 'MissingAuthenticationTokenException'],
  ];
  for (const [name, send, status, type] of refusals) {
    await t.test(`${name} is refused with X-Ray's ${type}`, async () => {
      const res = await send();
      assert.equal(res.status, status);
      assert.equal(res.headers.get('x-amzn-errortype'), type);
      const body = await res.json();
      assert.equal(body.__type, type);
      assert.equal(typeof body.message, 'string');
    });
  }

  await t.test('nothing refused was stored', async () => {
    const { json } = await tc.get('/api/diagnostics');
    const received = json.senders.reduce((n: number, s: any) => n + s.received, 0);
    assert.equal(received, 4, JSON.stringify(json.senders));
  });
});

test('a real archiver with OTEL_EXPORTER_OTLP_SIGV4=on sends signed, gzipped OTLP that the console verifies', async (t) => {
  const dir = tempDir(t);
  const tc = await startConsole(t, { db: join(dir, 'traces.db'), args: ['--verify-sigv4'], env: { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET } });
  const archiver = await startArchiver(t, {
    db: join(dir, 'archive.db'),
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: tc.url,
      OTEL_EXPORTER_OTLP_SIGV4: 'on',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: KEY,
      AWS_SECRET_ACCESS_KEY: SECRET,
      // The credential chain must not look further (instance metadata is off-loopback).
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    },
  });
  const res = await fetch(`${archiver.url}/archive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 200, body: 'signed' }) });
  assert.equal(res.status, 201);
  const root = /Root=([^;]+)/.exec(res.headers.get('x-amzn-trace-id') ?? '')?.[1];
  assert.ok(root, 'the archiver answers with its trace id');
  const trace = await tc.waitForTrace(root, (tr) => tr.segments.some((s: any) => s.name === 'archiver'), 20_000);
  assert.ok(trace.segments.length >= 1);
  const { json } = await tc.get('/api/diagnostics');
  assert.ok(json.senders.some((s: any) => s.sender.startsWith('otlp ') && s.accepted > 0), JSON.stringify(json.senders));
});

test('with --token too, a signed request needs no bearer token and an unsigned one still does', async (t) => {
  const token = 'sigv4-and-token-0123';
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), token, args: ['--aws-credentials', `${KEY}:${SECRET}`] });
  const traceId = otelTraceId();
  const signed = await signedPost(tc.url, protobufBody(traceId));
  assert.equal(signed.status, 200);
  await tc.waitForTrace(xrayId(traceId));
  const unsigned = await fetch(`${tc.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(protobufBody(otelTraceId())) });
  assert.equal(unsigned.status, 401);
  const badSignature = await signedPost(tc.url, protobufBody(otelTraceId()), { secret: 'wrong' });
  assert.equal(badSignature.status, 403);
});

test('--verify-sigv4 without AWS credentials in the environment stops with one line', async () => {
  const r = await run('trace-console', ['--verify-sigv4', '--db', ':memory:', '--listen', '127.0.0.1:0', '--otlp-grpc', 'off', '--otlp-http', 'off'], { env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), 'trace-console: --verify-sigv4 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --aws-credentials ACCESS_KEY_ID:SECRET');
  const bad = await run('trace-console', ['--aws-credentials', 'no-colon-secret', '--db', ':memory:']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim(), 'trace-console: invalid --aws-credentials ***: expected ACCESS_KEY_ID:SECRET_ACCESS_KEY');
});
