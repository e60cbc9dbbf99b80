/**
 * Safe on a developer's machine: DNS-rebinding (a foreign Host) and cross-site writes (a
 * foreign Origin) are refused with stable codes; non-browser clients, which send no Origin,
 * keep working; the console's pages carry a strict Content-Security-Policy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { startConsole } from '@tfa/test-helpers/console';
import { run } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';

/** A request with a Host of our choosing (fetch may not set one), to the console's loopback port. */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; json: any; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode!, headers: res.headers, json, text });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

test('trace-console refuses foreign Hosts and cross-site writes, keeps SDK clients working', async (t) => {
  const c = await startConsole(t, { db: join(tempDir(t), 't.db'), args: ['--allow-host', 'console.test', '--allow-host', 'a.test, b.test'] });
  const own = `127.0.0.1:${c.port}`;

  await t.test('a foreign Host (DNS rebinding) is refused on every route', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/api/traces'],
      ['POST', '/TraceSegments'],
      ['POST', '/v1/traces'],
    ]) {
      const r = await send(c.port, method, path, { host: `attacker.example:${c.port}` }, method === 'POST' ? '{}' : undefined);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.json.code, 'forbidden_host');
      assert.equal(r.json.status, 403);
      assert.equal(typeof r.json.id, 'string');
      assert.match(r.json.detail, /--allow-host attacker\.example/);
    }
    assert.equal((await send(c.port, 'GET', '/api/traces', { host: `127.0.0.2:${c.port}` })).json.code, 'forbidden_host', 'another loopback address is not this one');
  });

  await t.test('its own address, localhost and --allow-host names are served', async () => {
    for (const host of [own, `localhost:${c.port}`, 'LOCALHOST', `console.test:${c.port}`, 'a.test', `b.test:8080`]) {
      const r = await send(c.port, 'GET', '/api/traces', { host });
      assert.equal(r.status, 200, `${host}: ${r.text}`);
    }
  });

  await t.test('a state-changing request with a foreign Origin is refused; no Origin or its own is served', async () => {
    const batch = JSON.stringify({ TraceSegmentDocuments: [] });
    for (const origin of ['http://attacker.example', `http://localhost:3000`, 'null', `https://${own}.attacker.example`]) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const r = await send(c.port, method, '/TraceSegments', { host: own, origin }, batch);
        assert.equal(r.status, 403, `${method} from ${origin}: ${r.text}`);
        assert.equal(r.json.code, 'forbidden_origin');
      }
    }
    // Browsers send Origin on a same-origin POST too: the console's own pages keep working.
    assert.equal((await send(c.port, 'POST', '/TraceSegments', { host: own, origin: `http://${own}` }, batch)).status, 200);
    assert.equal((await send(c.port, 'POST', '/TraceSegments', { host: `console.test:${c.port}`, origin: `http://console.test:${c.port}` }, batch)).status, 200);
    // Reads with a foreign Origin are not writes (the browser keeps their answers from the page: no CORS).
    const read = await send(c.port, 'GET', '/api/traces', { host: own, origin: 'http://attacker.example' });
    assert.equal(read.status, 200);
    assert.equal(read.headers['access-control-allow-origin'], undefined);
  });

  await t.test('clients that send no Origin work: X-Ray SDK sampling, PutTraceSegments, OTLP', async () => {
    const rules = await send(c.port, 'POST', '/GetSamplingRules', { host: own }, '{}');
    assert.equal(rules.status, 200, rules.text);
    assert.ok(Array.isArray(rules.json.SamplingRuleRecords));
    assert.equal((await send(c.port, 'POST', '/TraceSegments', { host: own }, JSON.stringify({ TraceSegmentDocuments: [] }))).status, 200);
    assert.equal((await send(c.port, 'POST', '/v1/traces', { host: `localhost:${c.port}` }, '{}')).status, 200);
  });

  await t.test('the pages carry a strict Content-Security-Policy', async () => {
    const page = await send(c.port, 'GET', '/', { host: own });
    assert.equal(page.status, 200);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /(^|; )default-src 'self'(;|$)/);
    assert.match(csp, /(^|; )script-src 'self'(;|$)/, 'no inline scripts');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(page.text, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'the page has no inline script');
  });
});

test('--allow-host is documented in --help, and a bad name stops the console with one line', async () => {
  const help = await run('trace-console', ['--help']);
  assert.match(help.stdout, /--allow-host VALUE\s+host names the console also answers to/);
  const bad = await run('trace-console', ['--allow-host', 'http://x.test/', '--listen', '127.0.0.1:0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.trim(), /^trace-console: invalid --allow-host "http:\/\/x\.test\/": expected host names/);
});
