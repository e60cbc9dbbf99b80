/**
 * Checks of the console's sampling answers against AWS's response shapes (XRAY-REFERENCE
 * §7.1/§7.2) and against what aws-xray-sdk-node requires before it uses them.
 */
import assert from 'node:assert/strict';

const RULE_STRINGS: Record<string, number> = { RuleName: 32, RuleARN: 2048, ResourceARN: 500, ServiceName: 64, ServiceType: 64, Host: 64, HTTPMethod: 10, URLPath: 128 };

/** A GetSamplingRules answer: every member typed as the model says, and kept by aws-xray-sdk-node's isRuleValid. */
export function assertRulesResult(result: unknown): void {
  const json = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).filter((k) => k !== 'NextToken'), ['SamplingRuleRecords']);
  assert.ok(Array.isArray(json.SamplingRuleRecords));
  for (const record of json.SamplingRuleRecords as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(record).sort(), ['CreatedAt', 'ModifiedAt', 'SamplingRule']);
    assert.equal(typeof record.CreatedAt, 'number');
    assert.equal(typeof record.ModifiedAt, 'number');
    const rule = record.SamplingRule as Record<string, unknown>;
    for (const [key, max] of Object.entries(RULE_STRINGS)) {
      assert.equal(typeof rule[key], 'string', key);
      assert.ok((rule[key] as string).length >= 1 && (rule[key] as string).length <= max, key);
    }
    assert.ok(Number.isInteger(rule.Priority) && (rule.Priority as number) >= 1 && (rule.Priority as number) <= 10000);
    assert.ok(typeof rule.FixedRate === 'number' && rule.FixedRate >= 0 && rule.FixedRate <= 1);
    assert.ok(Number.isInteger(rule.ReservoirSize) && (rule.ReservoirSize as number) >= 0);
    // aws-xray-sdk-node service_connector.js isRuleValid, verbatim in meaning:
    assert.equal(rule.Version, 1);
    assert.equal(rule.ResourceARN, '*');
    assert.ok(rule.Attributes && Object.keys(rule.Attributes).length === 0);
    assert.ok(rule.ServiceType && rule.RuleName && rule.Priority);
    assert.equal(typeof rule.FixedRate, 'number');
  }
}

/** A GetSamplingTargets answer: AWS's shape, and a truthy LastRuleModification (else the SDK drops it). */
export function assertTargetsResult(result: unknown): void {
  const json = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json).sort(), ['LastRuleModification', 'SamplingTargetDocuments', 'UnprocessedStatistics']);
  assert.ok(typeof json.LastRuleModification === 'number' && json.LastRuleModification > 1e9, 'LastRuleModification is epoch seconds');
  for (const doc of json.SamplingTargetDocuments as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(doc).sort(), ['FixedRate', 'Interval', 'ReservoirQuota', 'ReservoirQuotaTTL', 'RuleName']);
    assert.equal(typeof doc.RuleName, 'string');
    assert.equal(typeof doc.FixedRate, 'number');
    assert.ok(Number.isInteger(doc.ReservoirQuota) && (doc.ReservoirQuota as number) >= 0);
    assert.equal(typeof doc.ReservoirQuotaTTL, 'number');
    assert.ok(Number.isInteger(doc.Interval) && (doc.Interval as number) > 0);
  }
  for (const item of json.UnprocessedStatistics as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(item).sort(), ['ErrorCode', 'Message', 'RuleName']);
    for (const v of Object.values(item)) assert.equal(typeof v, 'string');
  }
}
