/**
 * The ArchiveStore contract, run against both stores: SQLite (always) and PostgreSQL (a real
 * server, see test/helpers/postgres.ts). Bodies round-trip byte for byte in whole and in
 * ranges, identical bodies share one blob, failed uploads leave no rows, pages and filters
 * work, and a closed store refuses politely.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AppError } from '@tfa/service-kit/errors';
import { openPostgresStore } from '../src/store/postgres/store.ts';
import { CHUNK_SIZE } from '../src/store/schema.ts';
import { openSqliteStore } from '../src/store/sqlite/store.ts';
import type { ArchiveMeta, ArchiveStore } from '../src/store/types.ts';
import { freshDatabase, postgresSkipReason } from '@tfa/test-helpers/postgres';
import { tempDir } from '@tfa/test-helpers/tmp';

interface Opened {
  store: ArchiveStore;
  /** Rows in a table, read behind the store's back. */
  count: (table: 'blobs' | 'chunks' | 'archives', where?: string) => Promise<number>;
  /** Closes and opens the same database again (a restart). */
  reopen: () => Promise<ArchiveStore>;
}

const kinds: { name: string; skip?: string; open: (t: TestContext) => Promise<Opened> }[] = [
  {
    name: 'sqlite',
    async open(t) {
      const file = join(tempDir(t), 'a.db');
      let store = await openSqliteStore(file);
      t.after(() => store.close());
      return {
        store,
        async count(table, where = 'TRUE') {
          const db = new DatabaseSync(file, { readOnly: true });
          try {
            return Number((db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where.replace(/\bpending\b/, 'pending = 1')}`).get() as { n: number }).n);
          } finally {
            db.close();
          }
        },
        async reopen() {
          await store.close();
          store = await openSqliteStore(file);
          return store;
        },
      };
    },
  },
  {
    name: 'postgres',
    skip: postgresSkipReason(),
    async open(t) {
      const db = await freshDatabase(t);
      let store = await openPostgresStore(db.url);
      t.after(() => store.close());
      return {
        store,
        count: async (table, where = 'TRUE') => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`))[0]!.n),
        async reopen() {
          await store.close();
          store = await openPostgresStore(db.url);
          return store;
        },
      };
    },
  },
];

const meta = (url: string | null = 'http://site.test/page'): ArchiveMeta => ({ status: 200, url, contentType: 'text/html', headers: { etag: '"1"' }, traceId: null });
const limit = { maxBytes: 8 * 1024 * 1024 };

async function read(store: ArchiveStore, record: Parameters<ArchiveStore['readBody']>[0], start?: number, end?: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of store.readBody(record, start, end)) parts.push(part);
  return Buffer.concat(parts);
}

/** Yields `body` in pieces of `size` bytes, like a socket would. */
function* pieces(body: Buffer, size = 64 * 1024): Iterable<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

for (const kind of kinds) {
  const it = (name: string, fn: (t: TestContext, s: Opened) => Promise<void>) =>
    test(`${kind.name}: ${name}`, { skip: kind.skip }, async (t) => fn(t, await kind.open(t)));

  it('a small body round-trips with its metadata, sha256 and size', async (_t, { store, count }) => {
    const body = Buffer.from('<p>hello</p>');
    const rec = await store.create(meta(), pieces(body, 5), limit);
    assert.equal(rec.size, body.length);
    assert.equal(rec.sha256, createHash('sha256').update(body).digest('hex'));
    const got = await store.get(rec.id);
    assert.deepEqual({ ...got, archivedAt: undefined }, { ...rec, archivedAt: undefined });
    assert.equal(got!.archivedAt, rec.archivedAt);
    assert.deepEqual(await read(store, got!), body);
    assert.equal(await store.get(rec.id + 1000), undefined);
    assert.equal(await count('chunks'), 1);
  });

  it('a body of several chunks round-trips whole and in ranges across chunk edges', async (_t, { store }) => {
    const body = randomBytes(CHUNK_SIZE * 2 + 12345);
    const rec = await store.create(meta(), pieces(body, 50_000), limit);
    assert.deepEqual(await read(store, rec), body);
    for (const [start, end] of [[0, 0], [100, CHUNK_SIZE + 10], [CHUNK_SIZE - 1, CHUNK_SIZE], [body.length - 5, body.length - 1]] as const) {
      assert.deepEqual(await read(store, rec, start, end), body.subarray(start, end + 1), `${start}-${end}`);
    }
  });

  it('identical bodies, even uploaded at once, share one blob', async (_t, { store, count }) => {
    const body = randomBytes(CHUNK_SIZE + 999);
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => store.create(meta(`http://site.test/${i}`), pieces(body), limit)));
    assert.equal(a!.blobId, b!.blobId);
    assert.equal(b!.blobId, c!.blobId);
    assert.equal(await count('blobs'), 1);
    assert.equal(await count('chunks'), 2);
    assert.deepEqual(await read(store, c!), body);
  });

  it('a body over the limit or a failing stream leaves no rows behind', async (_t, { store, count }) => {
    const big = randomBytes(CHUNK_SIZE * 3);
    await assert.rejects(store.create(meta(), pieces(big), { maxBytes: CHUNK_SIZE * 2 }), (e) => e instanceof AppError && e.code === 'body_too_large');
    async function* broken() {
      yield big.subarray(0, CHUNK_SIZE + 10);
      throw new Error('client went away');
    }
    await assert.rejects(store.create(meta(), broken(), limit), /client went away/);
    assert.equal(await count('blobs'), 0);
    assert.equal(await count('chunks'), 0);
    assert.equal(await count('archives'), 0);
  });

  it('pages newest first, by cursor and by url', async (_t, { store }) => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.create(meta(i % 2 ? 'http://a.test/' : 'http://b.test/'), [Buffer.from(`doc ${i}`)], limit)).id);
    assert.deepEqual((await store.list({ limit: 2 })).map((r) => r.id), [ids[4], ids[3]]);
    assert.deepEqual((await store.list({ limit: 2, beforeId: ids[3] })).map((r) => r.id), [ids[2], ids[1]]);
    assert.deepEqual((await store.list({ limit: 10, url: 'http://a.test/' })).map((r) => r.id), [ids[3], ids[1]]);
  });

  it('a restart removes half-written uploads; a closed store refuses with unavailable', async (_t, { store, count, reopen }) => {
    await store.create(meta(), [Buffer.from('kept')], limit);
    // What a crash between chunk commits leaves: a pending blob with a chunk.
    async function* stalls() {
      yield randomBytes(CHUNK_SIZE + 1);
      await new Promise(() => {}); // never ends
    }
    void store.create(meta(), stalls(), limit).catch(() => undefined);
    for (let i = 0; i < 100 && (await count('blobs', 'pending')) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await count('blobs', 'pending'), 1);
    const again = await reopen();
    assert.equal(await count('blobs', 'pending'), 0);
    assert.equal(await count('archives'), 1);
    assert.equal(await again.ping(), true);
    await again.close();
    assert.equal(await again.ping(), false);
    await assert.rejects(again.create(meta(), [Buffer.from('x')], limit), (e) => e instanceof AppError && e.code === 'unavailable');
  });
}

test('sqlite: a writer thread that dies turns ping false and writes into 503 unavailable', async (t) => {
  const store = await openSqliteStore(join(tempDir(t), 'a.db'), { writer: new URL('./fixtures/dying-writer.ts', import.meta.url) });
  t.after(() => store.close());
  for (let i = 0; i < 100 && (await store.ping()); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await store.ping(), false, '/health reports the store down');
  await assert.rejects(store.create(meta(), [Buffer.from('x')], limit), (e) => e instanceof AppError && e.code === 'unavailable');
  assert.deepEqual(await store.list({ limit: 5 }), [], 'reads still work');
});
