/**
 * Which sampling rule a request matches, and why the rules before it did not: the SDKs'
 * matching (XRAY-REFERENCE, aws-xray-sdk-node's sampling rules) over the console's current
 * rules, in the order they are tried (priority, then name). Each field is an X-Ray wildcard
 * (`*` any run, `?` one character, case-insensitive); the Default rule matches everything.
 * Pure: callers pass the rules (GetSamplingRules' records) and the request.
 */
import { compileWildcard } from '@tfa/otel-xray/wire/sampling/wildcard';
import { DEFAULT_RULE_NAME, type SamplingRule } from '@tfa/otel-xray/wire/sampling/wire';

/** The request properties a rule matches on (the fields of SamplingStrategy in the X-Ray API). */
export interface SamplingRequest {
  service_name?: string;
  service_type?: string;
  host?: string;
  http_method?: string;
  url_path?: string;
  /** Matched against a rule's Attributes (every attribute of the rule must be present and match). */
  attributes?: Record<string, string>;
}

/** How one rule fared. */
export interface RuleVerdict {
  rule: string;
  priority: number;
  matched: boolean;
  /** For a rule that did not match: each field that failed, with its value and the pattern. */
  failed: { field: string; pattern: string; value: string | null; why: string }[];
}

/** The answer: the rule that applies, its reservoir and rate, and every rule tried up to it. */
export interface SamplingExplanation {
  rule: string;
  /** Requests per second sampled before the rate applies (the rule's ReservoirSize, shared by every client). */
  reservoir: number;
  /** Share sampled once the reservoir is used up. */
  fixed_rate: number;
  /** One line: which rule and why. */
  reason: string;
  /** Rules in matching order, up to and including the one that matched. */
  tried: RuleVerdict[];
}

const FIELDS: [keyof SamplingRule, keyof Omit<SamplingRequest, 'attributes'>][] = [
  ['ServiceName', 'service_name'],
  ['ServiceType', 'service_type'],
  ['Host', 'host'],
  ['HTTPMethod', 'http_method'],
  ['URLPath', 'url_path'],
];

/** Explains the decision for `request` over `rules` (any order; sorted here as SDKs sort them). */
export function explainSampling(rules: readonly SamplingRule[], request: SamplingRequest): SamplingExplanation {
  const ordered = [...rules].sort((a, b) => a.Priority - b.Priority || (a.RuleName < b.RuleName ? -1 : a.RuleName > b.RuleName ? 1 : 0));
  const tried: RuleVerdict[] = [];
  for (const rule of ordered) {
    const failed = rule.RuleName === DEFAULT_RULE_NAME ? [] : failures(rule, request);
    tried.push({ rule: rule.RuleName, priority: rule.Priority, matched: failed.length === 0, failed });
    if (failed.length === 0) {
      const passed = tried.length - 1;
      return {
        rule: rule.RuleName,
        reservoir: rule.ReservoirSize,
        fixed_rate: rule.FixedRate,
        reason: `${rule.RuleName} (priority ${rule.Priority}) matches${rule.RuleName === DEFAULT_RULE_NAME ? ' every request' : ''}${passed ? `; ${passed} rule${passed === 1 ? '' : 's'} before it did not` : ''}: ${rule.ReservoirSize} per second, then ${Math.round(rule.FixedRate * 1000) / 10} %`,
        tried,
      };
    }
  }
  // The rules always include Default (rules.ts adds it); without it nothing is sampled.
  return { rule: '', reservoir: 0, fixed_rate: 0, reason: 'no rule matches (there is no Default rule): the request is not sampled', tried };
}

function failures(rule: SamplingRule, request: SamplingRequest): RuleVerdict['failed'] {
  const out: RuleVerdict['failed'] = [];
  for (const [ruleField, requestField] of FIELDS) {
    const pattern = String(rule[ruleField] ?? '*');
    const value = request[requestField];
    if (!compileWildcard(pattern)(value)) out.push({ field: ruleField, pattern, value: value ?? null, why: mismatch(requestField, value, pattern) });
  }
  // No resource ARN is known for a request here, so only `*` matches (as in the SDKs off AWS).
  if (rule.ResourceARN !== '*') out.push({ field: 'ResourceARN', pattern: rule.ResourceARN, value: null, why: `resource_arn (unknown off AWS) does not match "${rule.ResourceARN}"` });
  for (const [key, pattern] of Object.entries(rule.Attributes ?? {})) {
    const value = request.attributes?.[key];
    if (!compileWildcard(pattern)(value)) out.push({ field: `Attributes.${key}`, pattern, value: value ?? null, why: mismatch(`attributes.${key}`, value, pattern) });
  }
  return out;
}

/** `url_path "/health" does not match "/api/*"`, in the request's own field names. */
function mismatch(field: string, value: string | undefined, pattern: string): string {
  return `${field} ${value === undefined ? '(not given)' : JSON.stringify(value)} does not match ${JSON.stringify(pattern)}`;
}
