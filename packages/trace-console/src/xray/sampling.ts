/**
 * The sampling family: GetSamplingRules and GetSamplingTargets for the X-Ray SDKs'
 * samplers; CreateSamplingRule, UpdateSamplingRule, DeleteSamplingRule, persisted in the
 * console's store and served at once (GetSamplingTargets' LastRuleModification tells the
 * SDKs to fetch the rules again); GetSamplingStatisticSummaries from what the SDKs report.
 * Rules from `--sampling-rules FILE` stay; an API change to one of them is persisted too
 * (a deletion as a tombstone), so a restart with the same file keeps it.
 */
import { DEFAULT_RULE_NAME, type SamplingRule } from '@tfa/otel-xray/wire/sampling/wire';
import type { SamplingRuleRecord, SamplingService } from '../sampling/service.ts';
import { ruleArn, SamplingRuleError, validateRule } from '../sampling/validate.ts';
import { InvalidRequest, nowSeconds, page, struct, XRayError, type Body, type XRayFamily } from './operation.ts';
import type { XRayState } from './state.ts';
import { addTags, dropTags, parseTags } from './tags.ts';

/** AWS's limit: 25 rules per account and region besides the Default rule. */
const MAX_RULES = 25;
const SUMMARIES_PAGE = 100;

type Stored = { record: SamplingRuleRecord } | { deleted: number };

/** The rule an ARN names, if any. */
export function ruleByArn(sampling: SamplingService, arn: string): SamplingRule | undefined {
  const m = /:sampling-rule\/(.+)$/.exec(arn);
  const rule = m ? sampling.rule(m[1]!) : undefined;
  return rule?.RuleARN === arn ? rule : undefined;
}

function valid(raw: unknown, label: string): SamplingRule {
  try {
    return validateRule(raw, label);
  } catch (err) {
    if (err instanceof SamplingRuleError) throw new InvalidRequest(err.message);
    throw err;
  }
}

/** The rule a RuleName or RuleARN member names; InvalidRequestException when none (as X-Ray answers). */
function namedRule(sampling: SamplingService, body: Body, where: string): SamplingRule {
  const name = body.RuleName;
  const arn = body.RuleARN;
  if (name !== undefined && typeof name !== 'string') throw new InvalidRequest(`${where}RuleName must be a string`);
  if (arn !== undefined && typeof arn !== 'string') throw new InvalidRequest(`${where}RuleARN must be a string`);
  if (name === undefined && arn === undefined) throw new InvalidRequest(`${where}RuleName or ${where}RuleARN is required`);
  const rule = name !== undefined ? sampling.rule(name) : ruleByArn(sampling, arn as string);
  if (rule === undefined || (arn !== undefined && rule.RuleARN !== arn)) throw new InvalidRequest(`Sampling rule ${name ?? arn} does not exist`);
  return rule;
}

export const samplingOperations: XRayFamily = ({ sampling, state }) => {
  restoreRules(sampling, state);
  const save = (record: SamplingRuleRecord): SamplingRuleRecord => {
    state.put('sampling-rule', record.SamplingRule.RuleName, { record } satisfies Stored);
    return record;
  };
  return [
    { name: 'GetSamplingRules', path: '/GetSamplingRules', handler: (body) => sampling.getSamplingRules(body) },
    { name: 'GetSamplingTargets', path: '/SamplingTargets', handler: (body) => sampling.getSamplingTargets(body) },
    {
      name: 'CreateSamplingRule',
      path: '/CreateSamplingRule',
      write: true,
      handler: (body) => {
        const { RuleARN: _ignored, ...given } = struct(body, 'SamplingRule');
        const rule = valid(given, typeof given.RuleName === 'string' ? `"${given.RuleName}"` : 'SamplingRule');
        if (sampling.rule(rule.RuleName)) throw new InvalidRequest(`Sampling rule ${rule.RuleName} already exists`);
        if (sampling.size() - (sampling.rule(DEFAULT_RULE_NAME) ? 1 : 0) >= MAX_RULES) throw new XRayError('RuleLimitExceededException', 400, `at most ${MAX_RULES} sampling rules besides Default may exist`);
        const tags = parseTags(body.Tags);
        // Fractional seconds: an SDK that fetched the rules earlier in this same second must still see a newer LastRuleModification.
        const at = nowSeconds();
        addTags(state, rule.RuleARN, tags);
        return { SamplingRuleRecord: save(sampling.setRule({ ...rule, RuleARN: ruleArn(rule.RuleName) }, at, at)) };
      },
    },
    {
      name: 'UpdateSamplingRule',
      path: '/UpdateSamplingRule',
      write: true,
      handler: (body) => {
        const u = struct(body, 'SamplingRuleUpdate');
        const current = namedRule(sampling, u, 'SamplingRuleUpdate.');
        const { RuleName: _n, RuleARN: _a, SamplingRateBoost: _b, ...changes } = u;
        const isDefault = current.RuleName === DEFAULT_RULE_NAME;
        if (isDefault) {
          for (const key of Object.keys(changes)) {
            if (key !== 'FixedRate' && key !== 'ReservoirSize') throw new InvalidRequest(`the Default rule's ${key} cannot change; only FixedRate and ReservoirSize can`);
          }
        }
        const rule = valid({ ...current, ...changes, RuleARN: current.RuleARN }, `"${current.RuleName}"`);
        const record = sampling.getSamplingRules({}).SamplingRuleRecords.find((r) => r.SamplingRule.RuleName === current.RuleName)!;
        return { SamplingRuleRecord: save(sampling.setRule(rule, record.CreatedAt, Math.max(record.ModifiedAt, nowSeconds()))) };
      },
    },
    {
      name: 'DeleteSamplingRule',
      path: '/DeleteSamplingRule',
      write: true,
      handler: (body) => {
        const rule = namedRule(sampling, body, '');
        if (rule.RuleName === DEFAULT_RULE_NAME) throw new InvalidRequest('the Default rule cannot be deleted');
        const record = sampling.removeRule(rule.RuleName)!;
        state.put('sampling-rule', rule.RuleName, { deleted: nowSeconds() } satisfies Stored);
        dropTags(state, rule.RuleARN);
        return { SamplingRuleRecord: record };
      },
    },
    {
      name: 'GetSamplingStatisticSummaries',
      path: '/SamplingStatisticSummaries',
      handler: (body) => {
        const { items, NextToken } = page(sampling.statisticSummaries(), body.NextToken, SUMMARIES_PAGE);
        return { SamplingStatisticSummaries: items, ...(NextToken ? { NextToken } : {}) };
      },
    },
  ];
};

/** Applies the persisted API changes (new, changed and deleted rules) over the rules the service started with. */
function restoreRules(sampling: SamplingService, state: XRayState): void {
  for (const name of state.names('sampling-rule')) {
    const stored = state.get<Stored>('sampling-rule', name)!;
    if ('record' in stored) sampling.setRule(stored.record.SamplingRule, stored.record.CreatedAt, stored.record.ModifiedAt);
    else sampling.removeRule(name);
  }
}
