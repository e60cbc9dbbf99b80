/**
 * The console's X-Ray sampling API (GetSamplingRules, GetSamplingTargets) as pure logic:
 * the HTTP layer mounts it on `POST /GetSamplingRules` and `POST /SamplingTargets`, passes
 * the parsed JSON body, and answers an InvalidRequestException with 400 and
 * `X-Amzn-Errortype`. Responses have AWS's exact shapes, timestamps in epoch seconds.
 */
import type {
  GetSamplingRulesResult,
  GetSamplingTargetsResult,
  SamplingRule,
  SamplingTargetDocument,
  UnprocessedStatistics,
} from '@tfa/otel-xray/wire/sampling/wire';
import { QUOTA_TTL_S, REPORT_INTERVAL_S, ReservoirShares } from './quota.ts';
import { parseRulesRequest, parseTargetsRequest } from './request.ts';

export { InvalidRequestException } from './request.ts';

/** Options of createSamplingService. */
export interface SamplingServiceOptions {
  /** Clock in epoch milliseconds (tests simulate time). */
  now?: () => number;
}

/** Totals the clients reported for one rule since the service started. */
export interface RuleStatistics {
  RuleName: string;
  RequestCount: number;
  SampledCount: number;
  BorrowCount: number;
  /** Clients active for the rule now. */
  ActiveClients: number;
}

/** The sampling API. Methods throw InvalidRequestException for a malformed body. */
export interface SamplingService {
  /** GetSamplingRules: every rule in one page (a NextToken is accepted and ignored). */
  getSamplingRules(body: unknown): GetSamplingRulesResult;
  /** GetSamplingTargets: records the statistics and hands out reservoir quotas. */
  getSamplingTargets(body: unknown): GetSamplingTargetsResult;
  /** Per-rule totals, for the console's own pages. */
  statistics(): RuleStatistics[];
  /** The reservoir quota each client active for the rule gets now (what GetSamplingTargets would answer). */
  grants(name: string): ReservoirGrant[];
  /** The rule named so, or undefined. */
  rule(name: string): SamplingRule | undefined;
  /** How many rules, the Default rule included. */
  size(): number;
  /**
   * Adds or replaces a rule (UpdateSamplingRule, CreateSamplingRule, rules restored from the
   * store); the SDKs see it at their next GetSamplingTargets through LastRuleModification.
   * Times are epoch seconds.
   */
  setRule(rule: SamplingRule, createdAt: number, modifiedAt: number): SamplingRuleRecord;
  /** Removes a rule; its record, or undefined when there was none. */
  removeRule(name: string): SamplingRuleRecord | undefined;
  /** GetSamplingStatisticSummaries: per rule, what the SDKs reported in the current 1-minute window. */
  statisticSummaries(): SamplingStatisticSummary[];
}

/** One client's current share of a rule's reservoir. */
export interface ReservoirGrant {
  ClientID: string;
  ReservoirQuota: number;
}

/** A rule with its creation and modification times (epoch seconds), as GetSamplingRules lists it. */
export interface SamplingRuleRecord {
  SamplingRule: SamplingRule;
  CreatedAt: number;
  ModifiedAt: number;
}

/** X-Ray's SamplingStatisticSummary. */
export interface SamplingStatisticSummary {
  RuleName: string;
  Timestamp: number;
  RequestCount: number;
  BorrowCount: number;
  SampledCount: number;
}

/** GetSamplingStatisticSummaries' window, like X-Ray's aggregation of the SDKs' 10-second reports. */
const SUMMARY_WINDOW_S = 60;

type Counts = { RequestCount: number; SampledCount: number; BorrowCount: number };

/** Builds the service over validated rules (see rules.ts); setRule and removeRule change them later. */
export function createSamplingService(initial: readonly SamplingRule[], options: SamplingServiceOptions = {}): SamplingService {
  const now = options.now ?? Date.now;
  // Rules given at start were all created and last modified then.
  const loadedAt = Math.floor(now() / 1000);
  const records = new Map<string, SamplingRuleRecord>(initial.map((r) => [r.RuleName, { SamplingRule: r, CreatedAt: loadedAt, ModifiedAt: loadedAt }]));
  let lastModification = loadedAt;
  // Sorted as SDKs match them: priority, then name.
  let rules: SamplingRule[] = [];
  const sort = () => {
    rules = [...records.values()].map((r) => r.SamplingRule).sort((a, b) => a.Priority - b.Priority || (a.RuleName < b.RuleName ? -1 : a.RuleName > b.RuleName ? 1 : 0));
  };
  sort();
  const shares = new ReservoirShares();
  const totals = new Map<string, Counts>(initial.map((r) => [r.RuleName, { RequestCount: 0, SampledCount: 0, BorrowCount: 0 }]));
  // The current summary window per rule: its start (epoch s) and counts.
  const windows = new Map<string, Counts & { start: number }>();
  const copy = (r: SamplingRuleRecord): SamplingRuleRecord => ({ ...r, SamplingRule: { ...r.SamplingRule, Attributes: { ...r.SamplingRule.Attributes } } });

  return {
    getSamplingRules(body) {
      parseRulesRequest(body);
      return { SamplingRuleRecords: rules.map((rule) => copy(records.get(rule.RuleName)!)) };
    },

    rule(name) {
      return records.get(name)?.SamplingRule;
    },

    size() {
      return records.size;
    },

    setRule(rule, createdAt, modifiedAt) {
      const record = { SamplingRule: rule, CreatedAt: createdAt, ModifiedAt: modifiedAt };
      records.set(rule.RuleName, record);
      if (!totals.has(rule.RuleName)) totals.set(rule.RuleName, { RequestCount: 0, SampledCount: 0, BorrowCount: 0 });
      lastModification = Math.max(lastModification, modifiedAt);
      sort();
      return copy(record);
    },

    removeRule(name) {
      const record = records.get(name);
      if (record === undefined) return undefined;
      records.delete(name);
      totals.delete(name);
      windows.delete(name);
      lastModification = Math.max(lastModification, now() / 1000);
      sort();
      return copy(record);
    },

    statisticSummaries() {
      const nowS = Math.floor(now() / 1000);
      const out: SamplingStatisticSummary[] = [];
      for (const rule of rules) {
        const w = windows.get(rule.RuleName);
        if (w === undefined || w.start + 2 * SUMMARY_WINDOW_S <= nowS) continue;
        out.push({ RuleName: rule.RuleName, Timestamp: w.start, RequestCount: w.RequestCount, BorrowCount: w.BorrowCount, SampledCount: w.SampledCount });
      }
      return out;
    },

    getSamplingTargets(body) {
      const docs = parseTargetsRequest(body);
      const nowMs = now();
      const targets = new Map<string, SamplingTargetDocument>();
      const unprocessed: UnprocessedStatistics[] = [];
      // First record every report, so quotas in this answer already count this client.
      for (const doc of docs) {
        const total = totals.get(doc.RuleName);
        if (total === undefined) continue;
        shares.report(doc.RuleName, doc.ClientID, doc.RequestCount, nowMs);
        total.RequestCount += doc.RequestCount;
        total.SampledCount += doc.SampledCount;
        total.BorrowCount += doc.BorrowCount ?? 0;
        const start = Math.floor(nowMs / 1000 / SUMMARY_WINDOW_S) * SUMMARY_WINDOW_S;
        let w = windows.get(doc.RuleName);
        if (w === undefined || w.start !== start) windows.set(doc.RuleName, (w = { start, RequestCount: 0, SampledCount: 0, BorrowCount: 0 }));
        w.RequestCount += doc.RequestCount;
        w.SampledCount += doc.SampledCount;
        w.BorrowCount += doc.BorrowCount ?? 0;
      }
      for (const doc of docs) {
        const rule = records.get(doc.RuleName)?.SamplingRule;
        if (rule === undefined) {
          unprocessed.push({ RuleName: doc.RuleName, ErrorCode: '400', Message: `Unknown sampling rule "${doc.RuleName}"` });
          continue;
        }
        targets.set(rule.RuleName, {
          RuleName: rule.RuleName,
          FixedRate: rule.FixedRate,
          ReservoirQuota: shares.quota(rule.RuleName, doc.ClientID, rule.ReservoirSize, nowMs),
          ReservoirQuotaTTL: Math.floor(nowMs / 1000) + QUOTA_TTL_S,
          Interval: REPORT_INTERVAL_S,
        });
      }
      return { SamplingTargetDocuments: [...targets.values()], LastRuleModification: lastModification, UnprocessedStatistics: unprocessed };
    },

    grants(name) {
      const rule = records.get(name)?.SamplingRule;
      if (rule === undefined) return [];
      const nowMs = now();
      return shares.clients(name, nowMs).map((ClientID) => ({ ClientID, ReservoirQuota: shares.quota(name, ClientID, rule.ReservoirSize, nowMs) }));
    },

    statistics() {
      const nowMs = now();
      return rules.map((rule) => ({ RuleName: rule.RuleName, ...totals.get(rule.RuleName)!, ActiveClients: shares.activeClients(rule.RuleName, nowMs) }));
    },
  };
}
