import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accessors } from '../../src/filter/accessors.ts';
import { compileFilter } from '../../src/filter/evaluate.ts';
import { editDistance, keywords, nearestKeyword } from '../../src/filter/keywords.ts';

test('every keyword the parser allows in a scope can be evaluated there', () => {
  const literal = { boolean: '', number: ' > 1', string: ' = "x"' } as const;
  const opener: Record<string, [string, string]> = {
    trace: ['', ''],
    service: ['service() { ', ' }'],
    edge: ['edge(id(), id()) { ', ' }'],
    causeService: ['rootcause.fault.service { ', ' }'],
    causeEntity: ['rootcause.fault.entity { ', ' }'],
    causeException: ['rootcause.fault.exception { ', ' }'],
    slowService: ['rootcause.responsetime.service { ', ' }'],
    slowEntity: ['rootcause.responsetime.entity { ', ' }'],
  };
  for (const k of keywords) {
    const type = k.type;
    if (type === 'complex') continue;
    for (const scope of k.scopes) {
      const table = accessors[scope][type === 'boolean' ? 'bool' : type];
      assert.ok(k.name in table, `${k.name} has a reader in ${scope}`);
      const [open, close] = opener[scope];
      assert.doesNotThrow(() => compileFilter(`${open}${k.name}${literal[type]}${close}`), `${k.name} in ${scope}`);
    }
  }
});

test('misspellings suggest the nearest keyword; nonsense suggests nothing', () => {
  assert.equal(nearestKeyword('responsetme'), 'responsetime');
  assert.equal(nearestKeyword('resopnsetime'), 'responsetime');
  assert.equal(nearestKeyword('http.stauts'), 'http.status');
  assert.equal(nearestKeyword('Durration'), 'duration');
  assert.equal(nearestKeyword('banana'), undefined);
  assert.equal(editDistance('abc', 'acb'), 1);
  assert.equal(editDistance('', 'ok'), 2);
});
