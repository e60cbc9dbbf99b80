/** The UI routes: pages and assets with strict headers, client-side routes, and no shadowing of the API. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { contentSecurityPolicy, registerUi } from '../../src/ui/serve.ts';

async function build(t: import('node:test').TestContext) {
  const app = Fastify();
  await registerUi(app);
  app.get('/api/traces', async () => ({ traces: [] }));
  app.get('/health', async () => 'OK');
  t.after(() => app.close());
  return app;
}

test('index.html is served at / and at client-side routes with a strict CSP', async (t) => {
  const app = await build(t);
  for (const url of ['/', '/trace/1-6b0a0cc3-00000000ee4900003acbf368', '/map', '/compare', '/diagnostics', '/traces?filter=ok']) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 200, url);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.equal(res.headers['content-security-policy'], contentSecurityPolicy);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(res.body, /<script type="module" src="\/ui\/assets\/main-[A-Z0-9]+\.js"><\/script>/);
    assert.doesNotMatch(res.body, /<script>|https?:\/\//, 'no inline script, nothing remote');
  }
  assert.match(contentSecurityPolicy, /default-src 'self'/);
  assert.doesNotMatch(contentSecurityPolicy, /unsafe-inline|unsafe-eval|https?:/);
});

test('assets are served with long cache headers; unknown ones are 404 JSON', async (t) => {
  const app = await build(t);
  const html = (await app.inject('/')).body;
  for (const path of [/src="([^"]+\.js)"/.exec(html)![1], /href="([^"]+\.css)"/.exec(html)![1]]) {
    const res = await app.inject(path);
    assert.equal(res.statusCode, 200, path);
    assert.match(res.headers['cache-control'] as string, /max-age=31536000, immutable/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(res.headers['content-type'] as string, path.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    // Offline: the bundle names no remote URL (the SVG namespace is an identifier, never fetched).
    const urls = (res.body.match(/https?:\/\/[^"'`)\s]+/g) ?? []).filter((u) => u !== 'http://www.w3.org/2000/svg');
    assert.deepEqual(urls, [], path);
  }
  const missing = await app.inject('/ui/assets/nope.js');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'not_found');
});

test('the API and other routes of the same app are not shadowed', async (t) => {
  const app = await build(t);
  assert.deepEqual((await app.inject('/api/traces')).json(), { traces: [] });
  assert.equal((await app.inject('/health')).body, 'OK');
  assert.equal((await app.inject('/v1/traces')).statusCode, 404);
  assert.equal((await app.inject('/api/nothing')).statusCode, 404);
});
