/** Builds an archiver app over a real SQLite store in a temp dir, closed after the test. */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { openSqliteStore } from '../src/store/sqlite/store.ts';
import { tempDir } from '@tfa/test-helpers/tmp';

export async function build(t: TestContext, options: { token?: string; maxBody?: number; db?: string } = {}) {
  const db = options.db ?? join(tempDir(t), 'archive.db');
  const store = await openSqliteStore(db);
  const app = await buildApp({ store, logger: pino({ level: 'silent' }), token: options.token, maxBody: options.maxBody ?? 64 * 1024 * 1024 });
  t.after(async () => {
    await app.close();
    await store.close();
  });
  return { app, store, db };
}
