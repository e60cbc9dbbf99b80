/**
 * One rule's reservoir on the client side (aws-xray-sdk-node's reservoir.js): with a fresh
 * quota from GetSamplingTargets it takes up to ReservoirQuota requests per second until the
 * quota's TTL; without one (before the first report, or after the TTL) it may borrow one
 * request per second when the rule has a non-zero reservoir.
 */

/** How the reservoir let a request through. */
export type ReservoirDecision = 'take' | 'borrow' | undefined;

/** Per-second reservoir accounting for one rule. */
export class Reservoir {
  /** Whether to borrow 1/s while no quota is fresh (the rule's ReservoirSize > 0). */
  canBorrow: boolean;
  #quota: number | undefined;
  #ttlMs = 0;
  #second = Number.NaN;
  #taken = 0;
  #borrowed = 0;

  constructor(canBorrow: boolean) {
    this.canBorrow = canBorrow;
  }

  /** Takes from the quota or borrows for a request at `nowMs`; undefined when neither is possible. */
  decide(nowMs: number): ReservoirDecision {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#taken = 0;
      this.#borrowed = 0;
    }
    if (this.#quota !== undefined && nowMs <= this.#ttlMs) {
      if (this.#taken >= this.#quota) return undefined;
      this.#taken++;
      return 'take';
    }
    if (this.canBorrow && this.#borrowed < 1) {
      this.#borrowed++;
      return 'borrow';
    }
    return undefined;
  }

  /**
   * Loads a target's quota. Unlike aws-xray-sdk-node (which ignores a 0 quota and keeps
   * borrowing) a quota of 0 is honoured: the service gave this client no share.
   */
  setQuota(quota: number | undefined, ttlSeconds: number | undefined): void {
    if (quota !== undefined) this.#quota = quota;
    if (ttlSeconds !== undefined) this.#ttlMs = ttlSeconds * 1000;
  }
}
