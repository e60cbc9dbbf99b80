/**
 * The SQLite store's writer thread. It owns the write connection and runs group commit
 * (BatchWriter) on the ops the main thread posts, answering each after its COMMIT. The
 * fsync of a commit blocks only this thread: the main thread keeps reading uploads, so the
 * next group fills while the disk works (on the main thread the event loop stood still for
 * every fsync, 60 % of the archiver's busy time under write load).
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { noteStreamed } from '@tfa/service-kit/memory';
import { CONNECTION_PRAGMAS } from '../schema.ts';
import { bytesOf, sqliteWrites, type WriteOp } from './writes.ts';
import { BatchWriter } from '../writer.ts';

/** Messages to the writer. */
export type ToWriter = { id: number; write: WriteOp } | { id: number; close: true };

/** Answers from the writer, by request id. */
export type FromWriter = { ready: true } | { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; code?: string; errcode?: number };

const WRITER_GC_STEP = 8 * 1024 * 1024;
const port = parentPort!;
const db = new DatabaseSync((workerData as { path: string }).path);
db.exec(CONNECTION_PRAGMAS);
const apply = sqliteWrites(db);
const writer = new BatchWriter(db);
const post = (m: FromWriter) => port.postMessage(m);

port.on('message', (m: ToWriter) => {
  if ('close' in m) {
    void writer.drained().then(() => {
      db.close();
      post({ id: m.id, ok: true, value: null });
    });
    return;
  }
  // The bytes are dead once bound; collect them as the main thread does its socket buffers
  // (more often: this thread's small heap makes a scavenge cheap).
  const bytes = bytesOf(m.write);
  if (bytes !== undefined) noteStreamed(bytes.byteLength, WRITER_GC_STEP);
  writer.write(() => apply(m.write)).then(
    (value) => post({ id: m.id, ok: true, value }),
    (err: Error & { code?: string; errcode?: number }) => post({ id: m.id, ok: false, message: err.message, code: err.code, errcode: err.errcode }),
  );
});
post({ ready: true });
