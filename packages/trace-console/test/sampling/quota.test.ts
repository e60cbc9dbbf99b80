/**
 * Reservoir sharing across clients over simulated time: each rule's ReservoirSize per
 * second is split evenly among the clients that reported requests for it in the last 20 s,
 * the quotas add up to the reservoir, and the odd request rotates between clients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSamplingRules } from '../../src/sampling/rules.ts';
import { createSamplingService } from '../../src/sampling/service.ts';

const T0 = 1_790_000_000_000; // epoch ms, a multiple of 10 s
const A = '0a'.repeat(12);
const B = '0b'.repeat(12);

function setup(reservoirSize: number) {
  let now = T0;
  const rules = parseSamplingRules([{ RuleName: 'api', Priority: 1, FixedRate: 0.1, ReservoirSize: reservoirSize }]);
  const service = createSamplingService(rules, { now: () => now });
  /** One client's report for rule `api` at `atMs`; returns its quota. */
  const report = (client: string, atMs: number, requests = 50) => {
    now = atMs;
    const result = service.getSamplingTargets({
      SamplingStatisticsDocuments: [{ RuleName: 'api', ClientID: client, Timestamp: Math.floor(atMs / 1000), RequestCount: requests, SampledCount: Math.min(requests, 5) }],
    });
    const [doc] = result.SamplingTargetDocuments;
    assert.equal(doc.ReservoirQuotaTTL, Math.floor(atMs / 1000) + 10);
    return doc.ReservoirQuota!;
  };
  return { service, report };
}

test('quota: a single client gets the whole reservoir', () => {
  const { report } = setup(5);
  assert.equal(report(A, T0 + 1000), 5);
  assert.equal(report(A, T0 + 11_000), 5);
});

test('quota: two busy clients split it, the quotas sum to the reservoir in every interval', () => {
  const { report, service } = setup(5);
  report(A, T0 + 1000); // A alone at first: all 5
  const perClient = { [A]: 0, [B]: 0 };
  for (let i = 0; i < 10; i++) {
    const base = T0 + 10_000 * i;
    const a = report(A, base + 1000);
    const b = report(B, base + 2000);
    if (i === 0) {
      // B just joined; A's quota was handed out before B was known.
      assert.equal(a, 5);
      assert.ok(b === 2 || b === 3, `b=${b}`);
      continue;
    }
    assert.equal(a + b, 5, `interval ${i}: ${a} + ${b}`);
    assert.ok(Math.abs(a - b) === 1, 'even split, the odd one to one client');
    perClient[A] += a;
    perClient[B] += b;
  }
  // The odd request rotates: over 9 intervals each client got it 4 or 5 times.
  assert.ok(Math.abs(perClient[A] - perClient[B]) <= 1, JSON.stringify(perClient));
  assert.deepEqual(service.statistics()[0], { RuleName: 'api', RequestCount: 1050, SampledCount: 105, BorrowCount: 0, ActiveClients: 2 });
});

test('quota: a reservoir of 1 is taken by two clients in turn, never by both at once', () => {
  const { report } = setup(1);
  const turns: string[] = [];
  report(A, T0 + 500);
  for (let i = 1; i <= 7; i++) {
    const a = report(A, T0 + 10_000 * i + 500);
    const b = report(B, T0 + 10_000 * i + 700);
    if (i === 1) continue; // B joined during this interval
    assert.equal(a + b, 1);
    turns.push(a === 1 ? 'A' : 'B');
  }
  assert.deepEqual(turns.filter((c) => c === 'A').length, 3, turns.join(' '));
  for (let i = 1; i < turns.length; i++) assert.notEqual(turns[i], turns[i - 1], `alternates: ${turns.join(' ')}`);
});

test('quota: a client that stops reporting requests stops counting after 20 s', () => {
  const { report, service } = setup(4);
  report(A, T0 + 1000);
  assert.equal(report(B, T0 + 2000), 2);
  assert.equal(report(A, T0 + 11_000), 2);
  // B is idle from now on (reports RequestCount 0, as OTel's sampler does for every rule).
  assert.equal(report(B, T0 + 12_000, 0), 2, 'B still counts: it had requests 10 s ago');
  assert.equal(report(A, T0 + 21_000), 2, 'B had requests 19 s ago');
  assert.equal(report(A, T0 + 31_000), 4, 'B had requests 29 s ago: A has the whole reservoir again');
  assert.equal(service.statistics()[0].ActiveClients, 1);
  assert.equal(report(B, T0 + 32_000, 0), 0, 'an idle client gets no share');
});

test('quota: an idle client never dilutes a busy one', () => {
  const { report } = setup(3);
  assert.equal(report(B, T0 + 1000, 0), 0);
  assert.equal(report(A, T0 + 2000), 3);
  assert.equal(report(B, T0 + 11_000, 0), 0);
  assert.equal(report(A, T0 + 12_000), 3);
});
