/**
 * The peers of bench/peers.ts stay runnable: their packages are installed (bench/peers/<name>/
 * with lockfiles of their own, by the root's `npm ci`), they do not leak into the project's
 * resolution (the root's @opentelemetry/* stay 3.x), and every variant's server starts and
 * answers one request, whose span reaches the variant's listener when it exports. No timing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { missingPeers, sinkCounts, startVariant, VARIANTS } from '../../bench/lib/peers.ts';
import { root } from '../../bench/lib/proc.ts';

test('the peer packages are installed and isolated from the project', () => {
  assert.deepEqual(missingPeers(), [], 'run `npm ci` at the root: its prepare step installs bench/peers/*');
  const fromSrc = createRequire(join(root, 'src', 'tracing', 'setup.ts'));
  // The package.json of whichever copy `req` resolves (not every package exports ./package.json).
  const version = (name: string, req = fromSrc) => {
    const main = req.resolve(name);
    const dir = main.slice(0, main.lastIndexOf(`node_modules/${name}/`) + `node_modules/${name}`.length);
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  };
  assert.match(version('@opentelemetry/core'), /^3\./);
  assert.match(version('@opentelemetry/sdk-trace'), /^3\./);
  assert.throws(() => fromSrc.resolve('@opentelemetry/sdk-trace-node'), /Cannot find module/);
  assert.throws(() => fromSrc.resolve('aws-xray-sdk-core'), /Cannot find module/);
  const fromOtel = createRequire(join(root, 'bench', 'peers', 'otel', 'http.ts'));
  assert.match(version('@opentelemetry/sdk-trace-node', fromOtel), /^2\./);
  const fromAdot = createRequire(join(root, 'bench', 'peers', 'adot', 'http.ts'));
  assert.match(version('@opentelemetry/sdk-trace-node', fromAdot), /^1\./);
});

for (const v of VARIANTS) {
  test(`peer "${v.name}" starts and answers a request`, { timeout: 90_000 }, async () => {
    const r = await startVariant(v);
    try {
      const res = await fetch(r.url, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength, 10240);
      if (v.sink !== 'none') {
        // Batches go out within the processors' delay (5 s for the SDK's BatchSpanProcessor);
        // ADOT's exporter closes its socket on shutdown before its last send leaves, so wait for it.
        const got = async () => {
          const c = (await sinkCounts(r))!;
          return v.sink === 'udp' ? c.datagrams : c.otlpRequests;
        };
        const deadline = Date.now() + 15_000;
        while ((await got()) === 0 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
        assert.ok((await got()) >= 1, `${v.name}: nothing reached the listener\n${r.server.tail()}`);
      }
    } finally {
      await r.stop();
    }
  });
}
