/**
 * Group commit: writes queued in the same turn of the event loop share one
 * transaction and one fsync. Each write runs in its own savepoint, so one
 * failing write rejects alone while the rest of the batch commits.
 */
import type { DatabaseSync } from 'node:sqlite';

interface Pending {
  fn: (db: DatabaseSync) => unknown;
  resolve: (v: any) => void;
  reject: (e: unknown) => void;
}

/** Queues writes and commits them in batches. */
export class BatchWriter {
  readonly #db: DatabaseSync;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #scheduled = false;
  #idle: (() => void)[] = [];

  constructor(db: DatabaseSync, maxBatch = 256) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  /** Runs `fn` inside the next batch; resolves after that batch has committed. */
  write<T>(fn: (db: DatabaseSync) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Resolves once every queued write has committed. */
  drained(): Promise<void> {
    if (this.#queue.length === 0 && !this.#scheduled) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #flush(): void {
    const batch = this.#queue.splice(0, this.#maxBatch);
    const results: { ok: boolean; value: unknown }[] = [];
    const db = this.#db;
    try {
      db.exec('BEGIN IMMEDIATE');
      for (const p of batch) {
        db.exec('SAVEPOINT w');
        try {
          results.push({ ok: true, value: p.fn(db) });
          db.exec('RELEASE w');
        } catch (err) {
          db.exec('ROLLBACK TO w');
          db.exec('RELEASE w');
          results.push({ ok: false, value: err });
        }
      }
      db.exec('COMMIT');
      batch.forEach((p, i) => (results[i]!.ok ? p.resolve(results[i]!.value) : p.reject(results[i]!.value)));
    } catch (err) {
      try {
        if (db.isTransaction) db.exec('ROLLBACK');
      } catch {
        // the connection is already out of the transaction
      }
      for (const p of batch) p.reject(err);
    }
    if (this.#queue.length > 0) {
      setImmediate(() => this.#flush());
    } else {
      this.#scheduled = false;
      const idle = this.#idle;
      this.#idle = [];
      for (const r of idle) r();
    }
  }
}
