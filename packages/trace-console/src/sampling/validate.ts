/**
 * Validation of one sampling rule against the X-Ray API's constraints (XRAY-REFERENCE §7.2),
 * with errors that name the rule and the field. Matchers that are left out default to `*`,
 * so a hand-written rule needs only RuleName, Priority, FixedRate and ReservoirSize.
 */
import { ConfigError } from '@tfa/service-kit/config';
import { DEFAULT_RULE_NAME, type SamplingRule } from '@tfa/otel-xray/wire/sampling/wire';

/** A rule that breaks a constraint; `rule` and `field` say where (field in the file's own spelling). */
export class SamplingRuleError extends ConfigError {
  override name = 'SamplingRuleError';
  readonly rule: string;
  readonly field: string;
  constructor(rule: string, field: string, problem: string) {
    super(`sampling rule ${rule}: ${field} ${problem}`);
    this.rule = rule;
    this.field = field;
  }
}

/** The Default rule's priority: below every rule a user can create (1–9999). */
export const DEFAULT_RULE_PRIORITY = 10000;

/** The region and account of every ARN the console makes: `local` and a zero account. */
export const ARN_PREFIX = 'arn:aws:xray:local:000000000000:';

/** Builds the ARN X-Ray would give the rule. */
export function ruleArn(name: string): string {
  return `${ARN_PREFIX}sampling-rule/${name}`;
}

const STRING_LIMITS = { ResourceARN: 500, ServiceName: 64, ServiceType: 64, Host: 64, HTTPMethod: 10, URLPath: 128 } as const;
type MatcherField = keyof typeof STRING_LIMITS;
const KNOWN = new Set([
  'RuleName', 'RuleARN', 'Priority', 'FixedRate', 'ReservoirSize', 'Version', 'Attributes', 'SamplingRateBoost',
  ...Object.keys(STRING_LIMITS),
]);

/** How the file spells each API field (the SDK local format uses snake_case names). */
export type FieldNames = Partial<Record<keyof SamplingRule, string>>;

/**
 * Checks one rule in API shape and returns it complete. `label` identifies it in errors
 * (e.g. `"slow-paths" (#2)`); `names` maps API fields to the file's own field names.
 */
export function validateRule(raw: unknown, label: string, names: FieldNames = {}): SamplingRule {
  const fail = (field: keyof SamplingRule | string, problem: string): never => {
    throw new SamplingRuleError(label, names[field as keyof SamplingRule] ?? field, problem);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail('rule', 'must be a JSON object');
  const rule = raw as Record<string, unknown>;
  for (const key of Object.keys(rule)) if (!KNOWN.has(key)) fail(key, 'is not a sampling rule field');

  const name = rule.RuleName;
  if (typeof name !== 'string' || name.length < 1 || name.length > 32) fail('RuleName', `must be a string of 1 to 32 characters (got ${show(name)})`);
  const isDefault = name === DEFAULT_RULE_NAME;

  const number = (field: 'Priority' | 'FixedRate' | 'ReservoirSize', min: number, max: number, integer: boolean): number => {
    const value = rule[field];
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
    if (!ok) fail(field, `must be ${integer ? 'an integer' : 'a number'} ${max === Infinity ? `>= ${min}` : `from ${min} to ${max}`} (got ${show(value)})`);
    return value as number;
  };
  let priority: number;
  if (isDefault) {
    // X-Ray's Default rule always comes last; only its rate and reservoir can change.
    if (rule.Priority !== undefined && rule.Priority !== DEFAULT_RULE_PRIORITY) fail('Priority', `of the Default rule is always ${DEFAULT_RULE_PRIORITY} (got ${show(rule.Priority)})`);
    priority = DEFAULT_RULE_PRIORITY;
  } else {
    priority = number('Priority', 1, 9999, true);
  }
  const fixedRate = number('FixedRate', 0, 1, false);
  const reservoirSize = number('ReservoirSize', 0, Infinity, true);

  const matcher = (field: MatcherField): string => {
    const value = rule[field] ?? '*';
    const max = STRING_LIMITS[field];
    if (typeof value !== 'string' || value.length < 1 || value.length > max) fail(field, `must be a string of 1 to ${max} characters (got ${show(value)})`);
    if (isDefault && value !== '*') fail(field, `of the Default rule must be "*" (it matches every request)`);
    return value as string;
  };

  const version = rule.Version ?? 1;
  if (version !== 1) fail('Version', `must be 1 (got ${show(version)}); SDKs ignore rules of other versions`);
  const arn = rule.RuleARN ?? ruleArn(name as string);
  if (typeof arn !== 'string' || arn.length === 0) fail('RuleARN', `must be a non-empty string (got ${show(arn)})`);

  return {
    RuleName: name as string,
    RuleARN: arn as string,
    ResourceARN: matcher('ResourceARN'),
    Priority: priority,
    FixedRate: fixedRate,
    ReservoirSize: reservoirSize,
    ServiceName: matcher('ServiceName'),
    ServiceType: matcher('ServiceType'),
    Host: matcher('Host'),
    HTTPMethod: matcher('HTTPMethod'),
    URLPath: matcher('URLPath'),
    Version: 1,
    Attributes: attributes(rule.Attributes, fail),
  };
}

function attributes(value: unknown, fail: (field: string, problem: string) => never): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('Attributes', 'must be an object of string values');
  const entries = Object.entries(value);
  if (entries.length > 5) fail('Attributes', `may have at most 5 entries (got ${entries.length})`);
  for (const [key, v] of entries) {
    if (key.length < 1 || key.length > 32) fail('Attributes', `key ${show(key)} must have 1 to 32 characters`);
    if (typeof v !== 'string' || v.length < 1 || v.length > 32) fail(`Attributes.${key}`, `must be a string of 1 to 32 characters (got ${show(v)})`);
  }
  return { ...(value as Record<string, string>) };
}

/** A value as it would appear in the file, cut short. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
