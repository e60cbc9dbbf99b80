/**
 * Tools of the fault-injection suite (test/faults/): a small tmpfs to fill, filling it,
 * timing a recovery, and reporting what a fault looked like from outside.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** Why a tmpfs cannot be mounted here (not root), or undefined; in CI it must be possible. */
export function tmpfsSkipReason(): string | undefined {
  if (process.getuid?.() === 0) return undefined;
  if (process.env.CI) throw new Error('CI runs as root (.ci/run): the disk-full tests mount a tmpfs');
  return 'not root: cannot mount a small tmpfs to fill (run as root, as CI does)';
}

/** Mounts a tmpfs of `size` (e.g. '24m') on a fresh directory, unmounted after the test. */
export function smallTmpfs(t: TestContext, size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tfa-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  t.after(() => {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Writes `file` until the disk refuses (ENOSPC); returns a function that frees the space again. */
export function fillDisk(file: string): () => void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    // The last few KiB: a smaller block fits where the big one did not.
    try {
      for (;;) writeSync(fd, block, 0, 4096);
    } catch {
      // full now
    }
  } finally {
    closeSync(fd);
  }
  return () => rmSync(file, { force: true });
}

/** Polls `check` every 20 ms until it is true; resolves with the milliseconds it took. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Math.round(performance.now() - t0);
}

/** Prints one fault's figures in the test output (for the issue's note). */
export function report(t: TestContext, fault: string, figures: Record<string, unknown>): void {
  t.diagnostic(`FAULT ${fault}: ${Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}`);
}

/** Percentile `p` (0..100) of `values`, in their unit. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
