/** explainSampling: rule order, each failed field with its wildcard, attributes, ServiceType, ResourceARN. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainSampling } from '../../src/sampling/explain.ts';
import { parseSamplingRules } from '../../src/sampling/rules.ts';

const rules = parseSamplingRules([
  { RuleName: 'b-second', Priority: 10, FixedRate: 0.1, ReservoirSize: 1, ServiceName: 'shop-*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '/cart?', ResourceARN: '*', Version: 1 },
  { RuleName: 'a-first', Priority: 10, FixedRate: 1, ReservoirSize: 5, ServiceName: '*', ServiceType: 'AWS::EC2::Instance', Host: '*', HTTPMethod: '*', URLPath: '*', ResourceARN: '*', Version: 1 },
  { RuleName: 'tagged', Priority: 20, FixedRate: 0.5, ReservoirSize: 0, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', ResourceARN: '*', Version: 1, Attributes: { tier: 'gold' } },
  { RuleName: 'arn', Priority: 30, FixedRate: 0.5, ReservoirSize: 0, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', ResourceARN: 'arn:aws:lambda:*', Version: 1 },
]);

test('ties on priority are broken by name; wildcards are case-insensitive', () => {
  const e = explainSampling(rules, { service_name: 'SHOP-web', url_path: '/cart1', service_type: 'AWS::ECS::Container' });
  assert.equal(e.rule, 'b-second');
  assert.deepEqual(e.tried[0], { rule: 'a-first', priority: 10, matched: false, failed: [{ field: 'ServiceType', pattern: 'AWS::EC2::Instance', value: 'AWS::ECS::Container', why: 'service_type "AWS::ECS::Container" does not match "AWS::EC2::Instance"' }] });
  assert.match(e.reason, /b-second \(priority 10\) matches; 1 rule before it did not: 1 per second, then 10 %/);
});

test('attributes must be present and match; a ResourceARN other than * never matches here; Default catches the rest', () => {
  assert.equal(explainSampling(rules, { service_name: 'x', attributes: { tier: 'GOLD' } }).rule, 'tagged');
  const e = explainSampling(rules, { service_name: 'x', url_path: '/cart' });
  assert.equal(e.rule, 'Default');
  assert.deepEqual(e.tried.find((r) => r.rule === 'tagged')!.failed, [{ field: 'Attributes.tier', pattern: 'gold', value: null, why: 'attributes.tier (not given) does not match "gold"' }]);
  assert.deepEqual(e.tried.find((r) => r.rule === 'arn')!.failed, [{ field: 'ResourceARN', pattern: 'arn:aws:lambda:*', value: null, why: 'resource_arn (unknown off AWS) does not match "arn:aws:lambda:*"' }]);
  assert.deepEqual(e.tried.find((r) => r.rule === 'b-second')!.failed.map((f) => f.field), ['ServiceName', 'URLPath']);
});
