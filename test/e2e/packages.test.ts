/**
 * The two products others want, installed from their tarballs into an empty folder (deps
 * from a registry on loopback that serves what the lockfile installed): `trace-console`
 * takes a datagram and shows it; an OTel JS app using @tfa/otel-xray sends a segment to a
 * UDP listener.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { promisify } from 'node:util';
import { startLocalRegistry } from '@tfa/test-helpers/local-registry';
import { root } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';
import { freeTcpPorts } from '@tfa/test-helpers/ports';
import { packWorkspace } from '../../scripts/pack.ts';

const exec = promisify(execFile);
const npm = (args: string[], cwd: string, cache: string) =>
  exec('npm', [...args, '--cache', cache, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env: { ...process.env, npm_config_update_notifier: 'false' }, maxBuffer: 1 << 24, timeout: 300_000 });

test('@tfa/trace-console and @tfa/otel-xray install from their tarballs into an empty folder and work there', { timeout: 420_000 }, async (t) => {
  const dir = tempDir(t, 'tfa-packages-');
  const tarballs = join(dir, 'tarballs');
  const kit = packWorkspace('packages/service-kit', tarballs);
  const otel = packWorkspace('packages/otel-xray', tarballs);
  const console_ = packWorkspace('packages/trace-console', tarballs);

  const registry = await startLocalRegistry(root);
  t.after(() => registry.close());
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty-app', version: '1.0.0', private: true, type: 'module' }));
  writeFileSync(join(app, '.npmrc'), `registry=${registry.url}/\n`);
  await npm(['install', kit, otel, console_, '@opentelemetry/api@1.10', '@opentelemetry/sdk-trace@3', '@opentelemetry/resources@3'], app, join(dir, 'cache'));
  assert.deepEqual(registry.misses.filter((m) => !m.includes('/-/') && !registry.optionalPeers.has(m.slice(1))), [], 'every dependency came from the lockfile');

  await t.test('npx trace-console takes a datagram and shows it', async () => {
    const [port] = await freeTcpPorts(1);
    const child = execFile(process.execPath, [join(app, 'node_modules', '.bin', 'trace-console'), '--listen', `127.0.0.1:${port}`, '--db', join(dir, 'traces.db'), '--otlp-grpc', 'off', '--otlp-http', 'off'], { cwd: app });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    t.after(async () => { child.kill('SIGTERM'); await exited; });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) {
      assert.ok(Date.now() < deadline, `the installed trace-console did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const traceId = `1-${Math.floor(Date.now() / 1000).toString(16)}-${'ab'.repeat(12)}`;
    const doc = { trace_id: traceId, id: '53995c3f42cd8ad8', name: 'packed', start_time: Date.now() / 1000 - 0.01, end_time: Date.now() / 1000 };
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => socket.send(`{"format":"json","version":1}\n${JSON.stringify(doc)}`, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    socket.close();
    let body: any;
    while (Date.now() < deadline) {
      body = await (await fetch(`${base}/api/traces/${traceId}`)).json();
      if (body.segments?.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(body.segments?.[0]?.name, 'packed', `the datagram's segment is shown: ${JSON.stringify(body)}`);
    const page = await fetch(`${base}/`);
    assert.match(await page.text(), /<script[^>]+src="\/ui\/assets\//, 'the web console is served from the packed bundle');
  });

  await t.test('an OTel JS app with @tfa/otel-xray sends a segment to a UDP listener', async () => {
    const listener = createSocket('udp4');
    const got = new Promise<string>((resolve) => listener.once('message', (m) => resolve(m.toString())));
    await new Promise<void>((r) => listener.bind(0, '127.0.0.1', r));
    t.after(() => listener.close());
    writeFileSync(join(app, 'traced.mjs'), `
import { SpanKind, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PreciseTimeSpanProcessor, XRayDaemonSpanProcessor, XRayIdGenerator, parseDaemonAddress } from '@tfa/otel-xray';
const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'packed' }), idGenerator: new XRayIdGenerator(), spanProcessors: [new PreciseTimeSpanProcessor(), new XRayDaemonSpanProcessor({ endpoint: parseDaemonAddress(process.env.AWS_XRAY_DAEMON_ADDRESS).udp })] });
trace.setGlobalTracerProvider(provider);
trace.getTracer('packed').startSpan('GET /packed', { kind: SpanKind.SERVER }).end();
await provider.shutdown();
`);
    await exec(process.execPath, [join(app, 'traced.mjs')], { cwd: app, env: { ...process.env, AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${listener.address().port}` }, timeout: 30_000 });
    const datagram = await got;
    assert.match(datagram, /^\{"format":"json","version":1\}\n/);
    const seg = JSON.parse(datagram.slice(datagram.indexOf('\n') + 1));
    assert.equal(seg.name, 'packed');
    assert.match(seg.trace_id, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.ok(Math.abs(seg.start_time - Date.now() / 1000) < 60 && seg.end_time >= seg.start_time, 'the start restamped on the wall clock');
  });
});
