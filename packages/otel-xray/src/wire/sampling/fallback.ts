/**
 * The SDKs' local default rule, used while no centralized rules are known (the console is
 * not running, or the last successful fetch is over an hour old): the first request of
 * each second, then 5 % of the rest (`{"fixed_target": 1, "rate": 0.05}`).
 */

/** Requests per second always sampled by the local default rule. */
export const FALLBACK_FIXED_TARGET = 1;
/** Fraction of the remaining requests sampled by the local default rule. */
export const FALLBACK_RATE = 0.05;

/** A stateful 1/s + 5 % decision function. */
export function createFallbackSampler(): (nowMs: number, random: () => number) => boolean {
  let second = Number.NaN;
  let taken = 0;
  return (nowMs, random) => {
    const now = Math.floor(nowMs / 1000);
    if (now !== second) {
      second = now;
      taken = 0;
    }
    if (taken < FALLBACK_FIXED_TARGET) {
      taken++;
      return true;
    }
    return random() < FALLBACK_RATE;
  };
}
