/**
 * Sampling rules for the console's GetSamplingRules (`--sampling-rules FILE`). A file may be
 * in the SDK's local-rules format (`{"version": 2, "rules": [...], "default": {...}}`, or
 * version 1) or in the API's own shape: an array of SamplingRule, `{"SamplingRuleRecords": [...]}`
 * (what `aws xray get-sampling-rules` prints) or `{"SamplingRule": {...}}` (what
 * `aws xray create-sampling-rule --sampling-rule file://` takes). X-Ray's Default rule is
 * added when the file does not set it.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '@tfa/service-kit/config';
import { DEFAULT_RULE_NAME, type SamplingRule } from '@tfa/otel-xray/wire/sampling/wire';
import { DEFAULT_RULE_PRIORITY, ruleArn, SamplingRuleError, show, validateRule, type FieldNames } from './validate.ts';

/** X-Ray's own Default rule: 1 request per second, then 5 %, for everything. */
export const DEFAULT_SAMPLING_RULE: Readonly<SamplingRule> = Object.freeze({
  RuleName: DEFAULT_RULE_NAME,
  RuleARN: ruleArn(DEFAULT_RULE_NAME),
  ResourceARN: '*',
  Priority: DEFAULT_RULE_PRIORITY,
  FixedRate: 0.05,
  ReservoirSize: 1,
  ServiceName: '*',
  ServiceType: '*',
  Host: '*',
  HTTPMethod: '*',
  URLPath: '*',
  Version: 1,
  Attributes: Object.freeze({}) as Record<string, string>,
});

/** The rules when no file is given: X-Ray's Default rule alone. */
export function defaultSamplingRules(): SamplingRule[] {
  return [{ ...DEFAULT_SAMPLING_RULE, Attributes: {} }];
}

/** Reads and validates a rules file; throws ConfigError (SamplingRuleError for a bad rule) naming the file. */
export function loadSamplingRules(file: string | undefined): SamplingRule[] {
  if (file === undefined) return defaultSamplingRules();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--sampling-rules ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--sampling-rules ${file}: not valid JSON (${(err as Error).message})`);
  }
  try {
    return parseSamplingRules(json);
  } catch (err) {
    if (err instanceof ConfigError) err.message = `--sampling-rules ${file}: ${err.message}`;
    throw err;
  }
}

/** Validates parsed JSON in any accepted format; returns the rules sorted as SDKs match them. */
export function parseSamplingRules(json: unknown): SamplingRule[] {
  let rules: SamplingRule[];
  if (Array.isArray(json)) rules = apiRules(json);
  else if (isObject(json) && 'version' in json) rules = localRules(json);
  else if (isObject(json) && Array.isArray(json.SamplingRuleRecords)) rules = apiRules(json.SamplingRuleRecords);
  else if (isObject(json) && isObject(json.SamplingRule)) rules = apiRules([json.SamplingRule]);
  else if (isObject(json) && 'RuleName' in json) rules = apiRules([json]);
  else {
    throw new ConfigError(
      'unrecognized sampling rules format: expected {"version": 2, "rules": [...], "default": {...}}, an array of SamplingRule, {"SamplingRuleRecords": [...]} or {"SamplingRule": {...}}',
    );
  }
  return withDefault(rules);
}

/** API-shaped rules; an item may be a SamplingRule or a record `{SamplingRule, CreatedAt, ModifiedAt}`. */
function apiRules(items: unknown[]): SamplingRule[] {
  return items.map((item, i) => {
    const rule = isObject(item) && isObject(item.SamplingRule) ? item.SamplingRule : item;
    const name = isObject(rule) && typeof rule.RuleName === 'string' ? `"${rule.RuleName}" (#${i + 1})` : `#${i + 1}`;
    return validateRule(rule, name);
  });
}

const LOCAL_NAMES: FieldNames = {
  ReservoirSize: 'fixed_target',
  FixedRate: 'rate',
  Host: 'host',
  HTTPMethod: 'http_method',
  URLPath: 'url_path',
  ServiceName: 'service_name',
};

/**
 * The SDK's local format. Rules keep their order (priority = position) and are named by
 * their description when it fits X-Ray's 32 characters, else `rule-N`. Version 1's
 * `service_name` meant the Host header (as in aws-xray-sdk-node); version 2 takes `host`,
 * and we also accept `service_name` there as the ServiceName matcher.
 */
function localRules(json: Record<string, unknown>): SamplingRule[] {
  const version = json.version;
  if (version !== 1 && version !== 2) throw new SamplingRuleError('file', 'version', `must be 1 or 2 (got ${show(version)})`);
  for (const key of Object.keys(json)) {
    if (key !== 'version' && key !== 'rules' && key !== 'default') throw new SamplingRuleError('file', key, 'is not a field of the local rules format (version, rules, default)');
  }
  if (!isObject(json.default)) throw new SamplingRuleError('default', 'default', 'must be an object {"fixed_target": n, "rate": r}');
  const def = json.default;
  for (const key of Object.keys(def)) {
    if (key !== 'fixed_target' && key !== 'rate') throw new SamplingRuleError('default', key, 'is not allowed; the default rule takes only fixed_target and rate');
  }
  for (const key of ['fixed_target', 'rate']) {
    if (def[key] === undefined) throw new SamplingRuleError('default', key, 'is missing');
  }
  const rules: SamplingRule[] = [
    validateRule({ RuleName: DEFAULT_RULE_NAME, FixedRate: def.rate, ReservoirSize: def.fixed_target }, 'default', LOCAL_NAMES),
  ];
  if (json.rules === undefined) return rules;
  if (!Array.isArray(json.rules)) throw new SamplingRuleError('file', 'rules', 'must be an array');
  const names = new Set<string>([DEFAULT_RULE_NAME]);
  json.rules.forEach((raw, i) => {
    const label = `#${i + 1}${isObject(raw) && typeof raw.description === 'string' ? ` ("${raw.description}")` : ''}`;
    if (!isObject(raw)) throw new SamplingRuleError(label, 'rule', 'must be a JSON object');
    const allowed = version === 1 ? ['description', 'service_name', 'http_method', 'url_path', 'fixed_target', 'rate'] : ['description', 'host', 'service_name', 'http_method', 'url_path', 'fixed_target', 'rate'];
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key)) throw new SamplingRuleError(label, key, `is not a field of a version ${version} local rule (${allowed.join(', ')})`);
    }
    for (const key of ['fixed_target', 'rate']) if (raw[key] === undefined) throw new SamplingRuleError(label, key, 'is missing');
    const name = ruleName(raw.description, i, names);
    names.add(name);
    const api = {
      RuleName: name,
      Priority: i + 1,
      FixedRate: raw.rate,
      ReservoirSize: raw.fixed_target,
      Host: version === 1 ? raw.service_name : raw.host,
      ServiceName: version === 1 ? undefined : raw.service_name,
      HTTPMethod: raw.http_method,
      URLPath: raw.url_path,
    };
    const names1 = version === 1 ? { ...LOCAL_NAMES, Host: 'service_name' } : LOCAL_NAMES;
    rules.push(validateRule(api, label, names1));
  });
  return rules;
}

function ruleName(description: unknown, index: number, taken: Set<string>): string {
  if (typeof description === 'string' && description.length >= 1 && description.length <= 32 && !taken.has(description)) return description;
  return `rule-${index + 1}`;
}

/** Adds X-Ray's Default rule when absent, refuses duplicate names, and sorts by priority then name. */
function withDefault(rules: SamplingRule[]): SamplingRule[] {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.RuleName)) throw new SamplingRuleError(`"${rule.RuleName}"`, 'RuleName', 'is used by more than one rule');
    seen.add(rule.RuleName);
  }
  const all = seen.has(DEFAULT_RULE_NAME) ? rules : [...rules, ...defaultSamplingRules()];
  return all.sort((a, b) => a.Priority - b.Priority || (a.RuleName < b.RuleName ? -1 : a.RuleName > b.RuleName ? 1 : 0));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
