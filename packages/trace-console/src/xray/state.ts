/**
 * The X-Ray API's own resources (groups, sampling rules created through the API, tags,
 * resource policies, encryption config, indexing rules, segment destination), persisted in
 * the console's SQLite file in one small table beside the trace store's. Values live in
 * memory too (they are few: AWS caps groups, rules and policies in the tens), so reads never
 * touch the database; every write goes through at once.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** The kinds of resource kept. */
export type ResourceKind = 'group' | 'sampling-rule' | 'tags' | 'policy' | 'setting';

export { ARN_PREFIX } from '../sampling/validate.ts';

/** The table's rows in memory, written through to the database. */
export class XRayState {
  readonly #db: DatabaseSync;
  readonly #put: StatementSync;
  readonly #delete: StatementSync;
  readonly #rows = new Map<ResourceKind, Map<string, unknown>>();

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS xray_resources (
      kind  TEXT NOT NULL,
      name  TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (kind, name)
    )`);
    this.#put = db.prepare('INSERT INTO xray_resources (kind, name, value) VALUES (?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET value = excluded.value');
    this.#delete = db.prepare('DELETE FROM xray_resources WHERE kind = ? AND name = ?');
    for (const row of db.prepare('SELECT kind, name, value FROM xray_resources ORDER BY rowid').all() as { kind: ResourceKind; name: string; value: string }[]) {
      this.#map(row.kind).set(row.name, JSON.parse(row.value));
    }
  }

  #map(kind: ResourceKind): Map<string, unknown> {
    let m = this.#rows.get(kind);
    if (m === undefined) this.#rows.set(kind, (m = new Map()));
    return m;
  }

  get<T>(kind: ResourceKind, name: string): T | undefined {
    return this.#map(kind).get(name) as T | undefined;
  }

  /** Every value of a kind, in creation order. */
  list<T>(kind: ResourceKind): T[] {
    return [...this.#map(kind).values()] as T[];
  }

  /** Every name of a kind, in creation order. */
  names(kind: ResourceKind): string[] {
    return [...this.#map(kind).keys()];
  }

  count(kind: ResourceKind): number {
    return this.#map(kind).size;
  }

  put(kind: ResourceKind, name: string, value: unknown): void {
    this.#put.run(kind, name, JSON.stringify(value));
    this.#map(kind).set(name, structuredClone(value));
  }

  delete(kind: ResourceKind, name: string): boolean {
    this.#delete.run(kind, name);
    return this.#map(kind).delete(name);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

/** Opens the state in the console's database file (`:memory:` keeps it in this process only). */
export function openXRayState(path: string): XRayState {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // The trace store's worker writes the same file: wait for its transactions instead of failing.
  db.exec('PRAGMA busy_timeout = 5000');
  return new XRayState(db);
}
