/**
 * The X-Ray sampling API's wire shapes (XRAY-REFERENCE §7.1/§7.2): GetSamplingRules and
 * GetSamplingTargets (path `/SamplingTargets`). Shared by the service-side sampler and the
 * console's stand-in so no shape is declared twice. Timestamps are epoch seconds (numbers).
 */

/** A sampling rule as GetSamplingRules returns it (all members present in our answers). */
export interface SamplingRule {
  /** 1–32 characters; `Default` is X-Ray's catch-all rule (priority 10000). */
  RuleName: string;
  RuleARN: string;
  /** SDKs only use rules with `*` here. */
  ResourceARN: string;
  /** 1–9999, ascending; the first matching rule decides. */
  Priority: number;
  /** Fraction 0–1 sampled after the reservoir is used up. */
  FixedRate: number;
  /** Requests per second sampled before FixedRate applies, shared by all clients. */
  ReservoirSize: number;
  ServiceName: string;
  /** The segment `origin` (e.g. AWS::EC2::Instance). */
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  /** Always 1; SDKs ignore other versions. */
  Version: number;
  /** SDKs only use rules whose Attributes are empty. */
  Attributes: Record<string, string>;
}

/** One entry of `SamplingRuleRecords`. */
export interface SamplingRuleRecord {
  SamplingRule: SamplingRule;
  CreatedAt: number;
  ModifiedAt: number;
}

/** GetSamplingRules output. */
export interface GetSamplingRulesResult {
  SamplingRuleRecords: SamplingRuleRecord[];
  NextToken?: string;
}

/** What one client saw for one rule since its last report. */
export interface SamplingStatisticsDocument {
  RuleName: string;
  /** Exactly 24 characters (SDKs use 12 random bytes in hex), one per process. */
  ClientID: string;
  Timestamp: number;
  RequestCount: number;
  /** Includes the borrowed ones. */
  SampledCount: number;
  BorrowCount?: number;
}

/** GetSamplingTargets input. */
export interface GetSamplingTargetsRequest {
  SamplingStatisticsDocuments: SamplingStatisticsDocument[];
}

/** The quota one client may use for one rule. */
export interface SamplingTargetDocument {
  RuleName: string;
  FixedRate: number;
  /** Requests per second this client may take from the shared reservoir. */
  ReservoirQuota?: number;
  /** Epoch seconds after which the quota is void (the client then borrows or uses FixedRate). */
  ReservoirQuotaTTL?: number;
  /** Seconds until the client should report again. */
  Interval?: number;
}

/** A statistics document the service did not take. */
export interface UnprocessedStatistics {
  RuleName?: string;
  ErrorCode?: string;
  Message?: string;
}

/** GetSamplingTargets output. */
export interface GetSamplingTargetsResult {
  SamplingTargetDocuments: SamplingTargetDocument[];
  /** Epoch seconds of the newest rule change; clients refetch rules when it is newer than theirs. */
  LastRuleModification: number;
  UnprocessedStatistics: UnprocessedStatistics[];
}

/** The service's catch-all rule name (reserved by X-Ray). */
export const DEFAULT_RULE_NAME = 'Default';
