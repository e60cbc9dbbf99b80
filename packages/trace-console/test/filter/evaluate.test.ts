import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter } from '../../src/filter/evaluate.ts';
import type { FilterTrace } from '../../src/model/model.ts';
import { evaluationTable, fixtureNames } from './expressions.ts';
import { fixtureTraces } from './fixtures.ts';

const traces = fixtureTraces();

test('filters select the expected traces (table)', () => {
  for (const [source, expected] of evaluationTable) {
    const matches = compileFilter(source);
    const got = fixtureNames.filter((name) => matches(traces[name]));
    assert.deepEqual(got, expected, source);
  }
});

test('the evaluation table covers every fixture both ways', () => {
  for (const name of fixtureNames) {
    assert.ok(evaluationTable.some(([, m]) => m.includes(name)), `${name} matched by something`);
    assert.ok(evaluationTable.some(([, m]) => !m.includes(name)), `${name} excluded by something`);
  }
});

/** A hand-built trace: the model is usable without the builder (e.g. by a store). */
function handBuilt(overrides: Partial<FilterTrace>): FilterTrace {
  return {
    id: '1-00000000-000000000000000000000000',
    startTime: 0,
    duration: 1,
    responseTime: 1,
    partial: false,
    ok: true,
    error: false,
    throttle: false,
    fault: false,
    http: {},
    annotations: {},
    users: [],
    services: [],
    edges: [],
    ...overrides,
  };
}

test('annotation comparisons are typed by the literal and look at every value', () => {
  const t = handBuilt({ annotations: { n: ['7', 7, true] } });
  const cases: Array<[string, boolean]> = [
    ['annotation.n = 7', true],
    ['annotation.n = "7"', true],
    ['annotation.n = true', true],
    ['annotation.n != true', false],
    ['annotation.n > 6.5', true],
    ['annotation.n CONTAINS "7"', true],
    ['annotation.n BEGINSWITH "8"', false],
    ['annotation.missing != 1', false],
    ['NOT annotation.missing = 1', true],
  ];
  for (const [source, expected] of cases) assert.equal(compileFilter(source)(t), expected, source);
});

test('a key that is false everywhere is set but not "true"', () => {
  const t = handBuilt({ annotations: { flag: [false] } });
  assert.equal(compileFilter('annotation.flag')(t), false);
  assert.equal(compileFilter('!annotation.flag')(t), false, 'it is set, so "not set" is false');
  assert.equal(compileFilter('annotation.flag = false')(t), true);
});

test('comparisons need a value; NOT of one does not', () => {
  const t = handBuilt({ http: {} });
  assert.equal(compileFilter('http.status != 200')(t), false);
  assert.equal(compileFilter('NOT http.status = 200')(t), true);
  assert.equal(compileFilter('http.url != "x"')(t), false);
  assert.equal(compileFilter('!http.url')(t), true);
});

test('keywords inside service() read the node, not the trace', () => {
  const node = {
    name: 'svc', type: 'service', root: false, inferred: false, partial: false,
    ok: false, error: false, throttle: false, fault: true,
    responseTime: 3, duration: 3, http: { status: 502 }, annotations: {}, users: [], exceptions: [],
  };
  const t = handBuilt({ ok: true, http: { status: 200 }, responseTime: 0.1, services: [node] });
  assert.equal(compileFilter('service("svc") { fault AND http.status = 502 AND responsetime > 2 }')(t), true);
  assert.equal(compileFilter('service("svc") { ok }')(t), false);
  assert.equal(compileFilter('ok AND http.status = 200 AND service("svc")')(t), true);
  assert.equal(compileFilter('service("SVC")')(t), false, 'service names match exactly');
});

test('root causes missing from a hand-built trace match nothing', () => {
  const t = handBuilt({});
  assert.equal(compileFilter('rootcause.fault.service')(t), false);
  assert.equal(compileFilter('NOT rootcause.fault.service')(t), true);
  assert.equal(compileFilter('rootcause.json = #[]')(t), true);
});
