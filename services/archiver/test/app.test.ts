import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import type { InjectOptions } from 'fastify';
import { build } from './build.ts';

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('JSON form round trip: 201, Location, media with the body', async (t) => {
  const { app } = await build(t);
  const res = await app.inject({ method: 'POST', url: '/archive', payload: { status: 200, body: '<h1>hi</h1>', url: 'https://example.com/', content_type: 'text/html; charset=utf-8', headers: { 'Last-Modified': 'x' } } });
  assert.equal(res.statusCode, 201);
  const media = res.json();
  assert.equal(res.headers.location, '/archive/1');
  assert.equal(media.href, '/archive/1');
  assert.equal(media.id, 1);
  assert.equal(media.body, '<h1>hi</h1>');
  assert.equal(media.body_encoding, 'utf8');
  assert.deepEqual(media.headers, { 'last-modified': 'x' });
  assert.equal(media.sha256, sha(Buffer.from('<h1>hi</h1>')));
  const got = (await app.inject({ method: 'GET', url: '/archive/1' })).json();
  assert.deepEqual(got, media);
  for (const key of ['href', 'id', 'status', 'body', 'body_encoding', 'content_type', 'url', 'size', 'sha256', 'archived_at', 'trace_id']) assert.ok(key in got, key);
});

test('raw form: every byte value and invalid UTF-8 come back identical, as base64', async (t) => {
  const { app } = await build(t);
  const body = Buffer.concat([allBytes, Buffer.from([0xc3, 0x28, 0xff])]);
  const res = await app.inject({ method: 'POST', url: '/archive', headers: { 'content-type': 'application/octet-stream', 'x-archive-status': '203', 'x-archive-url': 'http://h/bin' }, payload: body });
  assert.equal(res.statusCode, 201);
  const media = res.json();
  assert.equal(media.status, 203);
  assert.equal(media.body, undefined, 'raw form answers without the body');
  assert.equal(media.size, body.length);
  const read = (await app.inject({ method: 'GET', url: media.href })).json();
  assert.equal(read.body_encoding, 'base64');
  assert.deepEqual(Buffer.from(read.body, 'base64'), body);
  const raw = await app.inject({ method: 'GET', url: `${media.href}/body` });
  assert.deepEqual(raw.rawPayload, body);
  assert.equal(raw.headers['content-type'], 'application/octet-stream');
});

test('text vs base64: textual type with valid UTF-8 is text; invalid UTF-8 or binary type is base64', async (t) => {
  const { app } = await build(t);
  const cases: [string, Buffer, 'utf8' | 'base64'][] = [
    ['text/plain; charset=utf-8', Buffer.from('héllo ✓'), 'utf8'],
    ['application/json', Buffer.from('{"a":1}'), 'utf8'],
    ['application/vnd.api+json', Buffer.from('{}'), 'utf8'],
    ['image/svg+xml', Buffer.from('<svg/>'), 'utf8'],
    ['text/html', Buffer.from([0x3c, 0xff, 0x3e]), 'base64'],
    ['image/png', Buffer.from('looks like text'), 'base64'],
  ];
  for (const [type, bytes, encoding] of cases) {
    const res = await app.inject({ method: 'POST', url: '/archive', headers: { 'content-type': type, 'x-archive-status': '200' }, payload: bytes });
    assert.equal(res.statusCode, 201, type);
    const media = (await app.inject({ method: 'GET', url: res.json().href })).json();
    assert.equal(media.body_encoding, encoding, type);
    assert.equal(media.content_type, type);
    assert.deepEqual(Buffer.from(media.body, encoding), bytes, type);
  }
});

test('a JSON document is archived raw when X-Archive-Status says so', async (t) => {
  const { app } = await build(t);
  const res = await app.inject({ method: 'POST', url: '/archive', headers: { 'content-type': 'application/json', 'x-archive-status': '200' }, payload: '{"not":"a form"}' });
  assert.equal(res.statusCode, 201);
  const media = (await app.inject({ method: 'GET', url: res.json().href })).json();
  assert.equal(media.body, '{"not":"a form"}');
  assert.equal(media.content_type, 'application/json');
});

test('1 MiB cut-over: at 1 MiB the body is inline, above it is left out and read at /body', async (t) => {
  const { app } = await build(t);
  for (const [size, inline] of [[1024 * 1024, true], [1024 * 1024 + 1, false]] as const) {
    const bytes = Buffer.alloc(size, 'a');
    const res = await app.inject({ method: 'POST', url: '/archive', headers: { 'content-type': 'text/plain', 'x-archive-status': '200' }, payload: bytes });
    const media = (await app.inject({ method: 'GET', url: res.json().href })).json();
    assert.equal(media.body !== undefined, inline, `size ${size}`);
    assert.equal(media.body_truncated, inline ? undefined : true);
    const raw = await app.inject({ method: 'GET', url: `${media.href}/body` });
    assert.equal(raw.rawPayload.length, size);
  }
});

test('/body: ETag, If-None-Match 304, Range 206, 416, sandbox headers', async (t) => {
  const { app } = await build(t);
  const bytes = Buffer.from('0123456789');
  const { href } = (await app.inject({ method: 'POST', url: '/archive', headers: { 'content-type': 'text/html', 'x-archive-status': '200' }, payload: bytes })).json();
  const full = await app.inject({ method: 'GET', url: `${href}/body` });
  assert.equal(full.statusCode, 200);
  assert.equal(full.headers.etag, `"${sha(bytes)}"`);
  assert.equal(full.headers['content-length'], '10');
  assert.equal(full.headers['content-security-policy'], 'sandbox');
  assert.equal(full.headers['x-content-type-options'], 'nosniff');
  assert.equal(full.headers['content-type'], 'text/html');
  const head = await app.inject({ method: 'HEAD', url: `${href}/body` });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], '10', 'HEAD tells the real length');
  assert.equal(head.rawPayload.length, 0);
  const notModified = await app.inject({ method: 'GET', url: `${href}/body`, headers: { 'if-none-match': full.headers.etag as string } });
  assert.equal(notModified.statusCode, 304);
  assert.equal(notModified.rawPayload.length, 0);
  const cases: [string, number, string, string | undefined][] = [
    ['bytes=2-4', 206, '234', 'bytes 2-4/10'],
    ['bytes=7-', 206, '789', 'bytes 7-9/10'],
    ['bytes=-2', 206, '89', 'bytes 8-9/10'],
    ['bytes=5-100', 206, '56789', 'bytes 5-9/10'],
    ['bytes=0-1,4-5', 200, '0123456789', undefined],
    ['items=1-2', 200, '0123456789', undefined],
  ];
  for (const [range, status, body, contentRange] of cases) {
    const res = await app.inject({ method: 'GET', url: `${href}/body`, headers: { range } });
    assert.equal(res.statusCode, status, range);
    assert.equal(res.body, body, range);
    assert.equal(res.headers['content-range'], contentRange, range);
  }
  const bad = await app.inject({ method: 'GET', url: `${href}/body`, headers: { range: 'bytes=10-' } });
  assert.equal(bad.statusCode, 416);
  assert.equal(bad.headers['content-range'], 'bytes */10');
  assert.equal(bad.json().code, 'range_not_satisfiable');
});

test('list: newest first, opaque cursor pages, url filter, limit bounds', async (t) => {
  const { app } = await build(t);
  for (let i = 1; i <= 5; i++) {
    await app.inject({ method: 'POST', url: '/archive', payload: { status: 200, body: `doc ${i}`, url: i % 2 ? 'http://odd/' : 'http://even/' } });
  }
  const p1 = (await app.inject({ method: 'GET', url: '/archive?limit=2' })).json();
  assert.deepEqual(p1.items.map((a: any) => a.id), [5, 4]);
  assert.equal(p1.items[0].body, undefined);
  const p2 = (await app.inject({ method: 'GET', url: `/archive?limit=2&cursor=${p1.next_cursor}` })).json();
  assert.deepEqual(p2.items.map((a: any) => a.id), [3, 2]);
  const p3 = (await app.inject({ method: 'GET', url: `/archive?limit=2&cursor=${p2.next_cursor}` })).json();
  assert.deepEqual(p3.items.map((a: any) => a.id), [1]);
  assert.equal(p3.next_cursor, null);
  const odd = (await app.inject({ method: 'GET', url: '/archive?url=http://odd/' })).json();
  assert.deepEqual(odd.items.map((a: any) => a.id), [5, 3, 1]);
  for (const q of ['limit=0', 'limit=1001', 'limit=x', 'cursor=nonsense', 'bogus=1']) {
    const res = await app.inject({ method: 'GET', url: `/archive?${q}` });
    assert.equal(res.statusCode, 400, q);
    assert.equal(res.json().code, 'validation_failed', q);
  }
});

test('bad input: each a JSON error with a stable code, never a stack', async (t) => {
  const { app } = await build(t);
  const cases: [string, InjectOptions, number, string, RegExp?][] = [
    ['malformed JSON', { method: 'POST', url: '/archive', headers: { 'content-type': 'application/json' }, payload: '{"status":' }, 400, 'invalid_json'],
    ['missing status', { method: 'POST', url: '/archive', payload: { body: 'x' } }, 400, 'validation_failed', /status/],
    ['status wrong type', { method: 'POST', url: '/archive', payload: { status: 'ok', body: 'x' } }, 400, 'validation_failed', /status/],
    ['status out of range', { method: 'POST', url: '/archive', payload: { status: 700, body: 'x' } }, 400, 'validation_failed', /status/],
    ['unknown field', { method: 'POST', url: '/archive', payload: { status: 200, body: 'x', extra: 1 } }, 400, 'validation_failed'],
    ['bad encoding', { method: 'POST', url: '/archive', payload: { status: 200, body: 'x', body_encoding: 'hex' } }, 400, 'validation_failed', /body_encoding/],
    ['headers not strings', { method: 'POST', url: '/archive', payload: { status: 200, body: 'x', headers: { a: 1 } } }, 400, 'validation_failed', /headers/],
    ['bad X-Archive-Status', { method: 'POST', url: '/archive', headers: { 'content-type': 'text/plain', 'x-archive-status': 'abc' }, payload: 'x' }, 400, 'validation_failed', /X-Archive-Status/],
    ['bad X-Archive-Headers', { method: 'POST', url: '/archive', headers: { 'content-type': 'text/plain', 'x-archive-headers': '[1]' }, payload: 'x' }, 400, 'validation_failed', /X-Archive-Headers/],
    ['malformed id', { method: 'GET', url: '/archive/abc' }, 400, 'invalid_id'],
    ['zero id', { method: 'GET', url: '/archive/0' }, 400, 'invalid_id'],
    ['negative id', { method: 'GET', url: '/archive/-1' }, 400, 'invalid_id'],
    ['huge id', { method: 'GET', url: '/archive/99999999999999999999' }, 400, 'invalid_id'],
    ['unknown id', { method: 'GET', url: '/archive/42' }, 404, 'not_found'],
    ['unknown id body', { method: 'GET', url: '/archive/42/body' }, 404, 'not_found'],
    ['unknown route', { method: 'GET', url: '/nope' }, 404, 'not_found'],
    ['wrong method', { method: 'DELETE', url: '/archive/1' }, 404, 'not_found'],
  ];
  for (const [name, req, status, code, detail] of cases) {
    const res = await app.inject(req);
    assert.equal(res.statusCode, status, name);
    const body = res.json();
    assert.deepEqual(Object.keys(body).sort(), ['code', 'detail', 'id', 'status'], name);
    assert.equal(body.code, code, name);
    assert.equal(body.status, status, name);
    assert.equal(body.id, res.headers['x-request-id'], name);
    assert.doesNotMatch(res.body, /\bat \S+:\d+:\d+|node_modules/, `${name}: no stack`);
    if (detail) assert.match(body.detail, detail, name);
  }
});

test('413 at the limit leaves no rows and no chunks (raw and JSON forms)', async (t) => {
  const { app, db } = await build(t, { maxBody: 1000 });
  const ok = await app.inject({ method: 'POST', url: '/archive', headers: { 'content-type': 'text/plain', 'x-archive-status': '200' }, payload: Buffer.alloc(1000, 'x') });
  assert.equal(ok.statusCode, 201, 'exactly the limit is fine');
  const over = await app.inject({ method: 'POST', url: '/archive', headers: { 'content-type': 'text/plain', 'x-archive-status': '200' }, payload: Buffer.alloc(1001, 'y') });
  assert.equal(over.statusCode, 413);
  assert.equal(over.json().code, 'body_too_large');
  const json = await app.inject({ method: 'POST', url: '/archive', payload: { status: 200, body: 'z'.repeat(1001) } });
  assert.equal(json.statusCode, 413);
  const sql = new DatabaseSync(db, { readOnly: true });
  t.after(() => sql.close());
  assert.equal((sql.prepare('SELECT count(*) n FROM archives').get() as any).n, 1);
  assert.equal((sql.prepare('SELECT count(*) n FROM blobs').get() as any).n, 1);
  assert.equal((sql.prepare('SELECT count(*) n FROM chunks').get() as any).n, 1);
});

test('identical bodies are stored once', async (t) => {
  const { app, db } = await build(t);
  for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/archive', payload: { status: 200, body: 'same bytes', url: `http://h/${i}` } });
  const sql = new DatabaseSync(db, { readOnly: true });
  t.after(() => sql.close());
  assert.equal((sql.prepare('SELECT count(*) n FROM archives').get() as any).n, 3);
  assert.equal((sql.prepare('SELECT count(*) n FROM blobs').get() as any).n, 1);
});

test('auth: token required for writes only, compared exactly', async (t) => {
  const token = 'a-very-secret-token-123';
  const { app } = await build(t, { token });
  const post = (authorization?: string) => app.inject({ method: 'POST', url: '/archive', headers: authorization ? { authorization } : {}, payload: { status: 200, body: 'x' } });
  assert.equal((await post()).statusCode, 401);
  assert.equal((await post()).json().code, 'unauthorized');
  assert.equal((await post('Bearer wrong')).statusCode, 401);
  assert.equal((await post(`Basic ${token}`)).statusCode, 401);
  assert.equal((await post(`Bearer ${token}x`)).statusCode, 401);
  assert.equal((await post(`Bearer ${token}`)).statusCode, 201);
  assert.equal((await app.inject({ method: 'GET', url: '/archive/1' })).statusCode, 200, 'reads need no token');
});

test('health, OpenAPI document and local docs page', async (t) => {
  const { app, store } = await build(t);
  const health = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200);
  assert.equal(health.body, 'OK');
  assert.match(health.headers['content-type'] as string, /^text\/plain/);
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  assert.equal(doc.openapi, '3.1.0');
  for (const path of ['/archive', '/archive/{id}', '/archive/{id}/body', '/health']) assert.ok(doc.paths[path], path);
  assert.ok(doc.paths['/archive'].post.responses['507'], 'a full disk (507 insufficient_storage) is part of the contract');
  const docs = await app.inject({ method: 'GET', url: '/docs/' });
  assert.equal(docs.statusCode, 200);
  assert.doesNotMatch(docs.body, /https?:\/\/(?!127\.0\.0\.1|localhost)[a-z]/i, 'no CDN assets');
  await store.close();
  assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 503);
});
