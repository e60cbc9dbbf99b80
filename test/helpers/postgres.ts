/**
 * A fresh PostgreSQL database per test, on the server named by ARCHIVER_TEST_POSTGRES (a URL
 * whose role may CREATE DATABASE, e.g. postgres://tfa:tfa@127.0.0.1:5432/postgres; .ci/run
 * sets one up). Without it the PostgreSQL tests skip with one line, except in CI, where a
 * missing server is a failure.
 */
import type { TestContext } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const admin = process.env.ARCHIVER_TEST_POSTGRES;

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresSkipReason(): string | undefined {
  if (admin) return undefined;
  if (process.env.CI) throw new Error('CI must set ARCHIVER_TEST_POSTGRES (see .ci/run)');
  return 'set ARCHIVER_TEST_POSTGRES=postgres://user:pass@127.0.0.1:5432/postgres to run the PostgreSQL store tests';
}

/** Creates an empty database, dropped after the test; returns its URL and a query helper on it. */
export async function freshDatabase(t: TestContext): Promise<{ url: string; query: <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<R[]> }> {
  const name = `tfa_test_${randomBytes(6).toString('hex')}`;
  const server = new pg.Client({ connectionString: admin });
  await server.connect();
  await server.query(`CREATE DATABASE ${name}`);
  await server.end();
  const url = new URL(admin!);
  url.pathname = `/${name}`;
  const db = new pg.Pool({ connectionString: url.href, max: 2 });
  t.after(async () => {
    await db.end();
    const drop = new pg.Client({ connectionString: admin });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await drop.end();
  });
  return { url: url.href, query: async (sql, params) => (await db.query(sql, params)).rows };
}
