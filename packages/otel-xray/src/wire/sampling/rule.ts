/**
 * One centralized rule on the client side: what it matches, its reservoir and fixed rate,
 * and the statistics reported to GetSamplingTargets (aws-xray-sdk-node sampling_rule.js,
 * OTel sampler-aws-xray sampling-rule-applier.ts).
 */
import { DEFAULT_RULE_NAME, type SamplingRule, type SamplingStatisticsDocument, type SamplingTargetDocument } from './wire.ts';
import { Reservoir } from './reservoir.ts';
import { compileWildcard, type Matcher } from './wildcard.ts';

/** The request properties rules match on. */
export interface SampleRequest {
  serviceName: string;
  method: string | undefined;
  path: string | undefined;
  host: string | undefined;
}

/** Counts since the last report. */
interface Counts {
  request: number;
  sampled: number;
  borrow: number;
}

/** A rule with its matchers, reservoir, current rate and statistics. */
export class CentralRule {
  readonly rule: SamplingRule;
  readonly isDefault: boolean;
  /** FixedRate from the rule, replaced by each target document. */
  rate: number;
  reservoir: Reservoir;
  /** Report this rule every `reportEvery` target ticks (Interval / 10 s). */
  reportEvery = 1;
  #ticks = 0;
  #counts: Counts = { request: 0, sampled: 0, borrow: 0 };
  readonly #match: Matcher[];
  readonly #keys: (keyof SampleRequest)[] = ['serviceName', 'method', 'path', 'host'];

  constructor(rule: SamplingRule) {
    this.rule = rule;
    this.isDefault = rule.RuleName === DEFAULT_RULE_NAME;
    this.rate = rule.FixedRate;
    this.reservoir = new Reservoir(rule.ReservoirSize > 0);
    this.#match = [rule.ServiceName, rule.HTTPMethod, rule.URLPath, rule.Host].map(compileWildcard);
    // We have no segment origin, so only a `*` ServiceType can match (as in OTel's sampler off AWS).
    if (rule.ServiceType !== '*') this.#match.push(() => false);
  }

  /** True when every matcher accepts the request; the Default rule matches everything. */
  matches(request: SampleRequest): boolean {
    if (this.isDefault) return true;
    for (let i = 0; i < this.#match.length; i++) if (!this.#match[i](request[this.#keys[i]] as string | undefined)) return false;
    return true;
  }

  /** Decides for one matched request and counts it. */
  sample(nowMs: number, random: () => number): boolean {
    this.#counts.request++;
    const decision = this.reservoir.decide(nowMs);
    // Borrowed requests are recorded too, so they count as sampled as well (API docs: "recorded with borrowed quota").
    if (decision === 'borrow') this.#counts.borrow++;
    const sampled = decision !== undefined || random() < this.rate;
    if (sampled) this.#counts.sampled++;
    return sampled;
  }

  /** Keeps the reservoir and unreported counts of the same rule from an earlier fetch. */
  inherit(old: CentralRule): void {
    this.reservoir = old.reservoir;
    this.reservoir.canBorrow = this.rule.ReservoirSize > 0;
    this.#counts = old.#counts;
    this.reportEvery = old.reportEvery;
    this.#ticks = old.#ticks;
  }

  /** Loads a target document from GetSamplingTargets. */
  applyTarget(target: SamplingTargetDocument): void {
    if (typeof target.FixedRate === 'number') this.rate = target.FixedRate;
    this.reservoir.setQuota(numberOr(target.ReservoirQuota), numberOr(target.ReservoirQuotaTTL));
    if (typeof target.Interval === 'number' && target.Interval > 0) this.reportEvery = Math.max(1, Math.round(target.Interval / 10));
  }

  /** The statistics document due this tick (and resets the counts), or undefined when there is nothing to report. */
  report(clientId: string, nowMs: number): SamplingStatisticsDocument | undefined {
    if (this.#counts.request === 0) return undefined;
    if (++this.#ticks < this.reportEvery) return undefined;
    this.#ticks = 0;
    const counts = this.#counts;
    this.#counts = { request: 0, sampled: 0, borrow: 0 };
    return {
      RuleName: this.rule.RuleName,
      ClientID: clientId,
      Timestamp: Math.floor(nowMs / 1000),
      RequestCount: counts.request,
      SampledCount: counts.sampled,
      BorrowCount: counts.borrow,
    };
  }
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
