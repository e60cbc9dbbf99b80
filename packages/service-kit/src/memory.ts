/**
 * Bounded memory while bodies stream through. Every socket read is a fresh Buffer whose
 * bytes live outside the V8 heap; they die as soon as they are written on, but V8 frees
 * them only when a collection finds them dead, and streaming allocates too few heap objects
 * to trigger one: V8 waits for ~64 MB of external memory before it collects, so a 256 MiB
 * transfer plateaued at +64–70 MiB of RSS (bench/big-bodies.ts). A streaming loop calls
 * `noteStreamed(bytes)`; every STEP bytes it runs a young-generation collection (a scavenge:
 * ~1 ms, and the dead buffers are young), which keeps the dead bytes under STEP.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const STEP = 24 * 1024 * 1024;

type Gc = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

// The documented way to reach V8's collector without starting node with --expose-gc.
let gc: Gc | undefined;
function collector(): Gc {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    } catch {
      gc = () => {};
    }
  }
  return gc;
}

let streamed = 0;

/** Counts bytes that went through a streaming loop; collects dead buffers every `step` bytes. */
export function noteStreamed(bytes: number, step = STEP): void {
  streamed += bytes;
  if (streamed < step) return;
  streamed = 0;
  collector()({ type: 'minor' });
}
