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
} from '../../tracing/xray-sampler/wire.ts';
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
}

/** Builds the service over validated rules (see rules.ts); the rules are fixed for its lifetime. */
export function createSamplingService(rules: readonly SamplingRule[], options: SamplingServiceOptions = {}): SamplingService {
  const now = options.now ?? Date.now;
  // Rules are read once at start, so they were all created and last modified then.
  const loadedAt = Math.floor(now() / 1000);
  const byName = new Map(rules.map((r) => [r.RuleName, r]));
  const shares = new ReservoirShares();
  const totals = new Map(rules.map((r) => [r.RuleName, { RequestCount: 0, SampledCount: 0, BorrowCount: 0 }]));

  return {
    getSamplingRules(body) {
      parseRulesRequest(body);
      return {
        SamplingRuleRecords: rules.map((rule) => ({
          SamplingRule: { ...rule, Attributes: { ...rule.Attributes } },
          CreatedAt: loadedAt,
          ModifiedAt: loadedAt,
        })),
      };
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
      }
      for (const doc of docs) {
        const rule = byName.get(doc.RuleName);
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
      return { SamplingTargetDocuments: [...targets.values()], LastRuleModification: loadedAt, UnprocessedStatistics: unprocessed };
    },

    statistics() {
      const nowMs = now();
      return rules.map((rule) => ({ RuleName: rule.RuleName, ...totals.get(rule.RuleName)!, ActiveClients: shares.activeClients(rule.RuleName, nowMs) }));
    },
  };
}
