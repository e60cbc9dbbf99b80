/**
 * Reservoir sharing: how one rule's ReservoirSize (requests per second across the whole
 * fleet) is split among the clients that use the rule.
 *
 * Decision: split evenly among the *active* clients, where a client is active for a rule
 * if it reported a non-zero RequestCount for it within the last ACTIVE_WINDOW_MS (two
 * report intervals, so one late or lost report does not drop it). Each active client gets
 * floor(size / n) and `size % n` of them get one more, so the quotas add up to exactly
 * ReservoirSize (never more: the reservoir is a fleet-wide limit). Which clients get the
 * extra one rotates every Interval, so with a reservoir of 1 and two clients each takes
 * the 1/s in turn instead of one client holding it forever. A client that reports no
 * requests gets quota 0 and is not counted, so idle instances do not dilute busy ones.
 */

/** Seconds between reports that we ask clients for (the Interval of a target document). */
export const REPORT_INTERVAL_S = 10;
/** How long a quota stays valid after it is handed out, in seconds. */
export const QUOTA_TTL_S = 10;
/** A client counts as active for a rule this long after a report with requests. */
export const ACTIVE_WINDOW_MS = 2 * REPORT_INTERVAL_S * 1000;
/** Bound on tracked clients per rule; the least recently active is forgotten first. */
export const MAX_CLIENTS_PER_RULE = 1000;

/** Tracks which clients are active per rule and hands out their shares. */
export class ReservoirShares {
  /** rule name → client id → time (ms) of its last report with requests */
  readonly #active = new Map<string, Map<string, number>>();

  /** Records a client's report for a rule. */
  report(rule: string, clientId: string, requestCount: number, nowMs: number): void {
    let clients = this.#active.get(rule);
    if (clients === undefined) this.#active.set(rule, (clients = new Map()));
    if (requestCount > 0) {
      // Re-insert so the map stays ordered by last activity and the oldest is evicted first.
      clients.delete(clientId);
      clients.set(clientId, nowMs);
      if (clients.size > MAX_CLIENTS_PER_RULE) clients.delete(clients.keys().next().value!);
    }
    this.#expire(clients, nowMs);
  }

  /** The client's share of `size` requests per second right now (0 when it is not active). */
  quota(rule: string, clientId: string, size: number, nowMs: number): number {
    const clients = this.#active.get(rule);
    if (clients === undefined || !clients.has(clientId)) return 0;
    this.#expire(clients, nowMs);
    const ids = [...clients.keys()].sort();
    const n = ids.length;
    const index = ids.indexOf(clientId);
    const window = Math.floor(nowMs / 1000 / REPORT_INTERVAL_S);
    const extra = (index + window) % n < size % n ? 1 : 0;
    return Math.floor(size / n) + extra;
  }

  /** The clients active for a rule now, sorted by id. */
  clients(rule: string, nowMs: number): string[] {
    const clients = this.#active.get(rule);
    if (clients === undefined) return [];
    this.#expire(clients, nowMs);
    return [...clients.keys()].sort();
  }

  /** Number of clients active for a rule now. */
  activeClients(rule: string, nowMs: number): number {
    const clients = this.#active.get(rule);
    if (clients === undefined) return 0;
    this.#expire(clients, nowMs);
    return clients.size;
  }

  #expire(clients: Map<string, number>, nowMs: number): void {
    for (const [id, at] of clients) if (nowMs - at > ACTIVE_WINDOW_MS) clients.delete(id);
  }
}
