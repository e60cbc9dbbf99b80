/** Reading `--sampling-rules FILE`: both file formats, the Default rule, and every validation error. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SAMPLING_RULE, loadSamplingRules, parseSamplingRules } from '../../src/sampling/rules.ts';
import { SamplingRuleError } from '../../src/sampling/validate.ts';
import { ConfigError } from '@tfa/service-kit/config';
import { tempDir } from '@tfa/test-helpers/tmp';

const apiRule = { RuleName: 'slow', Priority: 10, FixedRate: 0.5, ReservoirSize: 2, ServiceName: 'fetcher', URLPath: '/fetch/*' };
const wild = { ResourceARN: '*', ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, Attributes: {} };

test('rules: no file gives X-Ray Default rule alone', () => {
  assert.deepEqual(loadSamplingRules(undefined), [{
    RuleName: 'Default', RuleARN: 'arn:aws:xray:local:000000000000:sampling-rule/Default', ResourceARN: '*', Priority: 10000,
    FixedRate: 0.05, ReservoirSize: 1, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1, Attributes: {},
  }]);
});

test('rules: SDK local format version 2 keeps order as priority and maps the snake_case fields', () => {
  const rules = parseSamplingRules({
    version: 2,
    rules: [
      { description: 'Player moves.', host: '*', http_method: '*', url_path: '/api/move/*', fixed_target: 0, rate: 0.05 },
      { description: 'A description much longer than thirty-two characters', host: 'a.example', http_method: 'GET', url_path: '*', fixed_target: 3, rate: 1, service_name: 'fetcher' },
    ],
    default: { fixed_target: 1, rate: 0.1 },
  });
  assert.deepEqual(rules.map((r) => [r.RuleName, r.Priority, r.ReservoirSize, r.FixedRate, r.Host, r.HTTPMethod, r.URLPath, r.ServiceName]), [
    ['Player moves.', 1, 0, 0.05, '*', '*', '/api/move/*', '*'],
    ['rule-2', 2, 3, 1, 'a.example', 'GET', '*', 'fetcher'],
    ['Default', 10000, 1, 0.1, '*', '*', '*', '*'],
  ]);
  for (const r of rules) assert.deepEqual([r.Version, r.ResourceARN, r.ServiceType, r.Attributes], [1, '*', '*', {}]);
});

test('rules: local format version 1 service_name means the Host header, as in aws-xray-sdk-node', () => {
  const [rule] = parseSamplingRules({ version: 1, rules: [{ service_name: 'api.example', http_method: 'POST', url_path: '/x', fixed_target: 1, rate: 0 }], default: { fixed_target: 0, rate: 0 } });
  assert.equal(rule.Host, 'api.example');
  assert.equal(rule.ServiceName, '*');
  assert.equal(rule.RuleName, 'rule-1');
});

test('rules: API formats (array, SamplingRuleRecords, SamplingRule, bare rule) give the same rules', () => {
  const expected = [{ ...wild, ...apiRule, RuleARN: 'arn:aws:xray:local:000000000000:sampling-rule/slow' }, { ...DEFAULT_SAMPLING_RULE }];
  assert.deepEqual(parseSamplingRules([apiRule]), expected);
  assert.deepEqual(parseSamplingRules({ SamplingRuleRecords: [{ SamplingRule: apiRule, CreatedAt: 1, ModifiedAt: 2 }] }), expected);
  assert.deepEqual(parseSamplingRules({ SamplingRule: apiRule }), expected);
  assert.deepEqual(parseSamplingRules(apiRule), expected);
});

test('rules: a Default rule in the file replaces the built-in one; order is priority then name', () => {
  const rules = parseSamplingRules([
    { RuleName: 'b', Priority: 5, FixedRate: 0, ReservoirSize: 0 },
    { RuleName: 'Default', FixedRate: 0, ReservoirSize: 0 },
    { RuleName: 'a', Priority: 5, FixedRate: 1, ReservoirSize: 0, RuleARN: 'arn:custom' },
  ]);
  assert.deepEqual(rules.map((r) => [r.RuleName, r.Priority, r.FixedRate, r.RuleARN.endsWith(r.RuleName) || r.RuleARN]), [
    ['a', 5, 1, 'arn:custom'],
    ['b', 5, 0, true],
    ['Default', 10000, 0, true],
  ]);
});

const errors: [string, unknown, string, string][] = [
  // [case, file JSON, rule named in the error, field named in the error]
  ['RuleName missing', [{ Priority: 1, FixedRate: 0, ReservoirSize: 0 }], '#1', 'RuleName'],
  ['RuleName too long', [{ ...apiRule, RuleName: 'x'.repeat(33) }], `"${'x'.repeat(33)}" (#1)`, 'RuleName'],
  ['Priority 0', [{ ...apiRule, Priority: 0 }], '"slow" (#1)', 'Priority'],
  ['Priority 10000', [{ ...apiRule, Priority: 10000 }], '"slow" (#1)', 'Priority'],
  ['Priority fractional', [{ ...apiRule, Priority: 1.5 }], '"slow" (#1)', 'Priority'],
  ['FixedRate above 1', [apiRule, { ...apiRule, RuleName: 'b', FixedRate: 1.5 }], '"b" (#2)', 'FixedRate'],
  ['FixedRate as a string', [{ ...apiRule, FixedRate: '0.5' }], '"slow" (#1)', 'FixedRate'],
  ['ReservoirSize negative', [{ ...apiRule, ReservoirSize: -1 }], '"slow" (#1)', 'ReservoirSize'],
  ['ReservoirSize missing', [{ RuleName: 'r', Priority: 1, FixedRate: 0 }], '"r" (#1)', 'ReservoirSize'],
  ['Version 2', [{ ...apiRule, Version: 2 }], '"slow" (#1)', 'Version'],
  ['HTTPMethod over 10', [{ ...apiRule, HTTPMethod: 'PROPPATCHXX' }], '"slow" (#1)', 'HTTPMethod'],
  ['URLPath over 128', [{ ...apiRule, URLPath: '/' + 'a'.repeat(128) }], '"slow" (#1)', 'URLPath'],
  ['ServiceName over 64', [{ ...apiRule, ServiceName: 's'.repeat(65) }], '"slow" (#1)', 'ServiceName'],
  ['Host empty', [{ ...apiRule, Host: '' }], '"slow" (#1)', 'Host'],
  ['ResourceARN over 500', [{ ...apiRule, ResourceARN: 'a'.repeat(501) }], '"slow" (#1)', 'ResourceARN'],
  ['6 Attributes', [{ ...apiRule, Attributes: { a: '1', b: '1', c: '1', d: '1', e: '1', f: '1' } }], '"slow" (#1)', 'Attributes'],
  ['Attribute value too long', [{ ...apiRule, Attributes: { k: 'v'.repeat(33) } }], '"slow" (#1)', 'Attributes.k'],
  ['unknown field', [{ ...apiRule, FixedRat: 1 }], '"slow" (#1)', 'FixedRat'],
  ['not an object', [42], '#1', 'rule'],
  ['duplicate names', [apiRule, apiRule], '"slow"', 'RuleName'],
  ['Default with a priority', [{ RuleName: 'Default', Priority: 5, FixedRate: 0, ReservoirSize: 0 }], '"Default" (#1)', 'Priority'],
  ['Default with a matcher', [{ RuleName: 'Default', URLPath: '/x', FixedRate: 0, ReservoirSize: 0 }], '"Default" (#1)', 'URLPath'],
  ['local: version 3', { version: 3, default: { fixed_target: 1, rate: 0.05 } }, 'file', 'version'],
  ['local: no default', { version: 2, rules: [] }, 'default', 'default'],
  ['local: default extra key', { version: 2, default: { fixed_target: 1, rate: 0.05, host: '*' } }, 'default', 'host'],
  ['local: default rate missing', { version: 2, default: { fixed_target: 1 } }, 'default', 'rate'],
  ['local: default rate above 1', { version: 2, default: { fixed_target: 1, rate: 5 } }, 'default', 'rate'],
  ['local: rules not a list', { version: 2, rules: {}, default: { fixed_target: 1, rate: 0.05 } }, 'file', 'rules'],
  ['local: rule fixed_target fractional', { version: 2, rules: [{ description: 'd', fixed_target: 0.5, rate: 0 }], default: { fixed_target: 1, rate: 0.05 } }, '#1 ("d")', 'fixed_target'],
  ['local: rule rate missing', { version: 2, rules: [{ fixed_target: 1 }], default: { fixed_target: 1, rate: 0.05 } }, '#1', 'rate'],
  ['local: v2 rule with API field', { version: 2, rules: [{ fixed_target: 1, rate: 0, URLPath: '/' }], default: { fixed_target: 1, rate: 0.05 } }, '#1', 'URLPath'],
  ['local: v1 rule with host', { version: 1, rules: [{ host: 'x', fixed_target: 1, rate: 0 }], default: { fixed_target: 1, rate: 0.05 } }, '#1', 'host'],
  ['local: v1 service_name too long', { version: 1, rules: [{ service_name: 'h'.repeat(65), fixed_target: 1, rate: 0 }], default: { fixed_target: 1, rate: 0.05 } }, '#1', 'service_name'],
  ['local: unknown top-level key', { version: 2, default: { fixed_target: 1, rate: 0.05 }, extra: 1 }, 'file', 'extra'],
];

for (const [name, json, rule, field] of errors) {
  test(`rules: refuses ${name}, naming rule ${rule} and field ${field}`, () => {
    assert.throws(() => parseSamplingRules(json), (err: unknown) => {
      assert.ok(err instanceof SamplingRuleError, String(err));
      assert.equal(err.rule, rule);
      assert.equal(err.field, field);
      assert.ok(err.message.startsWith(`sampling rule ${rule}: ${field} `), err.message);
      return true;
    });
  });
}

test('rules: an unrecognized shape says which formats are accepted', () => {
  assert.throws(() => parseSamplingRules({ rules: [] }), /unrecognized sampling rules format/);
  assert.throws(() => parseSamplingRules('x'), /unrecognized sampling rules format/);
});

test('rules: loadSamplingRules names the file in every error and reads a good one', (t) => {
  const dir = tempDir(t);
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({ version: 2, rules: [{ description: 'all', host: '*', http_method: '*', url_path: '*', fixed_target: 2, rate: 0.2 }], default: { fixed_target: 1, rate: 0.05 } }));
  assert.deepEqual(loadSamplingRules(good).map((r) => r.RuleName), ['all', 'Default']);

  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify([{ ...apiRule, FixedRate: 2 }]));
  assert.throws(() => loadSamplingRules(bad), (err: unknown) => err instanceof SamplingRuleError && err.message.startsWith(`--sampling-rules ${bad}: sampling rule "slow" (#1): FixedRate must be a number from 0 to 1 (got 2)`));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{"version": 2,');
  assert.throws(() => loadSamplingRules(broken), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`--sampling-rules ${broken}: not valid JSON`));
  assert.throws(() => loadSamplingRules(join(dir, 'missing.json')), (err: unknown) => err instanceof ConfigError && /cannot read the file \(ENOENT\)/.test(err.message));
});
