/**
 * A real archiver process on a real PostgreSQL database: archives round-trip over HTTP, the
 * password never reaches the logs, and store operations are sql subsegments of the
 * PostgreSQL kind (seen through OTEL_TRACES_EXPORTER=console).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startArchiver } from '@tfa/test-helpers/process';
import { freshDatabase, postgresSkipReason } from '@tfa/test-helpers/postgres';

test('archiver --db postgres://: store, read back, list; traced as PostgreSQL', { skip: postgresSkipReason() }, async (t) => {
  const db = await freshDatabase(t);
  const password = new URL(db.url).password;
  const archiver = await startArchiver(t, { db: db.url, env: { OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'always_on' } });
  const listening = await archiver.waitFor('archiver listening');
  assert.match(listening.db, /^postgres:\/\/[^:]+:\*\*\*@127\.0\.0\.1:\d+\/tfa_test_/);

  const body = randomBytes(600 * 1024);
  const created = await fetch(`${archiver.url}/archive`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-archive-status': '200', 'x-archive-url': 'http://site.test/big' },
    body,
  });
  assert.equal(created.status, 201, await created.clone().text());
  const rec = (await created.json()) as { href: string; id: number; size: number; trace_id: string };
  assert.equal(rec.size, body.length);
  const back = await fetch(`${archiver.url}${rec.href}/body`);
  assert.equal(back.status, 200);
  assert.deepEqual(Buffer.from(await back.arrayBuffer()), body);
  const list = (await (await fetch(`${archiver.url}/archive`)).json()) as { items: { id: number }[] };
  assert.deepEqual(list.items.map((a) => a.id), [rec.id]);
  assert.equal((await db.query<{ n: string }>('SELECT count(*) AS n FROM chunks'))[0]!.n, '3');

  const sql = await archiver.waitFor((l) => l.msg === 'span' && l.segment?.trace_id === rec.trace_id && l.segment?.sql !== undefined, 5_000);
  assert.equal(sql.segment.sql.database_type, 'postgresql');
  assert.match(sql.segment.sql.sanitized_query, /^INSERT INTO archives .*VALUES \(\$1/);
  if (password) assert.doesNotMatch(archiver.lines.join('\n'), new RegExp(`:${password}@`), 'the password is never logged');
});
