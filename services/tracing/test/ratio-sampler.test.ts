/** OTEL_TRACES_SAMPLER=traceidratio: our ratio sampler decides every id as the SDK's does. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { TraceIdRatioSampler } from '../src/ratio-sampler.ts';

const decide = (s: Sampler, id: string) => s.shouldSample(ROOT_CONTEXT, id, 'span', SpanKind.SERVER, {}, []).decision;

test('ratio sampler: the same decision as the SDK for random, edge and malformed ids at every ratio', () => {
  const ids = Array.from({ length: 20_000 }, () => randomBytes(16).toString('hex'));
  ids.push(
    '00000000000000000000000000000000', // invalid: all zero
    '00000000000000000000000000000001',
    'ffffffffffffffffffffffffffffffff',
    'FFFFFFFFFFFFFFFF0000000000000001', // upper case is valid for the SDK
    '6920AA00b1c2d3e4f5a6b7c8d9e0f1a2',
    '6920aa00b1c2d3e4f5a6b7c8d9e0f1a', // 31
    '6920aa00b1c2d3e4f5a6b7c8d9e0f1a2f', // 33
    '6920aa00b1c2d3e4f5a6b7c8d9e0f1ag',
    '6920aa00-1c2d3e4f5a6b7c8d9e0f1a2',
    '',
  );
  for (const ratio of [0, 1e-9, 0.01, 0.05, 0.5, 0.999999, 1, -1, 2, Number.NaN]) {
    const ours = new TraceIdRatioSampler(ratio);
    const sdk = new TraceIdRatioBasedSampler(ratio);
    assert.equal(ours.toString(), sdk.toString());
    for (const id of ids) assert.equal(decide(ours, id), decide(sdk, id), `ratio ${ratio}, id ${JSON.stringify(id)}`);
  }
  // And the ratio is what it says: 5 % of 20 000 random ids, give or take.
  const sampled = ids.filter((id) => new TraceIdRatioSampler(0.05).accepts(id)).length;
  assert.ok(sampled > 800 && sampled < 1200, `${sampled} of ${ids.length} sampled at 5 %`);
});
