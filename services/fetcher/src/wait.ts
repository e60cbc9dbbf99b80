/** Start-up wait for the archiver, as in the original example (60 s by default). */
import type { Logger } from 'pino';

/** Polls `healthy` until it answers true or `waitMs` passes; logs progress every 10 s. */
export async function waitForArchiver(healthy: () => Promise<boolean>, waitMs: number, logger: Logger, where: string): Promise<boolean> {
  const started = Date.now();
  let nextLog = 0;
  for (;;) {
    if (await healthy()) return true;
    const waited = Date.now() - started;
    if (waited >= waitMs) return false;
    if (waited >= nextLog) {
      logger.info({ archiver: where, waited_s: Math.round(waited / 1000), wait_s: Math.round(waitMs / 1000) }, 'waiting for the archiver');
      nextLog += 10_000;
    }
    await new Promise((r) => setTimeout(r, Math.min(500, waitMs - waited)));
  }
}
