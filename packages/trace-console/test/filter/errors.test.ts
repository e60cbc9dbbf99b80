import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FilterSyntaxError } from '../../src/filter/errors.ts';
import { compileFilter } from '../../src/filter/evaluate.ts';
import { parseFilter } from '../../src/filter/parser.ts';

const after = ['AND', 'OR'];
const termStart = ['keyword', '!', 'NOT', '('];
const stringOps = ['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH'];
const numberOps = ['=', '!=', '<', '<=', '>', '>='];

/** [expression, position, expected, a fragment of the message]. */
const table: Array<[string, number, string[], string]> = [
  ['user CONTAINS foo', 14, ['a quoted string'], 'at position 14: expected a quoted string after CONTAINS, found "foo"'],
  ['(ok OR error', 12, ['operator', ...after, ')'], 'expected an operator, AND, OR or ")", found end of input'],
  ['(responsetime > 5', 17, [...after, ')'], 'expected AND, OR or ")", found end of input'],
  ['service("a") { ok', 17, ['operator', ...after, '}'], 'found end of input'],
  ['http.url = "abc', 15, ['"'], 'expected a closing " for the literal starting at position 11'],
  ["user = 'bob", 11, ["'"], "expected a closing ' for the literal starting at position 7"],
  ['responsetime >', 14, ['a number'], 'expected a number after >, found end of input'],
  ['http.url =', 10, ['a quoted string'], 'expected a quoted string after =, found end of input'],
  ['responsetme > 5', 0, ['keyword'], 'unknown keyword "responsetme"; did you mean "responsetime"?'],
  ['http.statsu = 500', 0, ['keyword'], 'did you mean "http.status"?'],
  ['banana', 0, ['keyword'], 'unknown keyword "banana"'],
  ['http.url > 5', 9, stringOps, 'expected "=", "!=", CONTAINS, BEGINSWITH or ENDSWITH after string keyword http.url, found ">"'],
  ['responsetime CONTAINS "1"', 13, numberOps, 'after number keyword responsetime, found "CONTAINS"'],
  ['ok < 1', 3, ['=', '!='], 'expected "=" or "!=" after boolean keyword ok, found "<"'],
  ['responsetime 5', 13, numberOps, 'found "5"'],
  ['ok )', 3, ['operator', ...after, 'end of input'], 'found ")"'],
  ['ok }', 3, ['operator', ...after, 'end of input'], 'found "}"'],
  ['responsetime > 5 5', 17, [...after, 'end of input'], 'expected AND, OR or end of input, found "5"'],
  ['ok true', 3, ['operator', ...after, 'end of input'], 'found "true"'],
  ['ok & error', 3, ['operator', ...after, 'end of input'], 'found "&"'],
  ['service(', 8, ['a quoted string', 'id(', ')'], 'expected a quoted service name, id(…) or ")", found end of input'],
  ['service(api)', 8, ['a quoted string', 'id(', ')'], 'found "api"'],
  ['service("a" "b")', 12, [')'], 'expected ")" after the service name'],
  ['service(id(nme: "x"))', 11, ['name', 'type', 'account.id', ')'], 'found "nme"'],
  ['service(id(name "x"))', 16, [':'], 'expected ":" after name'],
  ['edge("a")', 8, [','], 'expected "," after the caller'],
  ['edge(', 5, ['a quoted string', 'id('], 'expected a quoted caller name or id(…)'],
  ['service("a") { service("b") }', 15, ['keyword'], 'service is not valid inside service() { }, only at the top level'],
  ['coverage > 0.5', 0, ['keyword'], 'coverage is not valid at the top level'],
  ['edge("a", "b") { duration > 1 }', 17, ['keyword'], 'duration is not valid inside edge() { }'],
  ['ok = 1', 5, ['true', 'false'], 'expected true or false after =, found "1"'],
  ['ok = "true"', 5, ['true', 'false'], 'found "true"'],
  ['duration > 5s', 11, ['a number'], 'found "5s"'],
  ['annotation.', 11, ['annotation key'], 'expected an annotation key after "annotation."'],
  ['annotation.remote-url = "x"', 17, ['operator', ...after, 'end of input'], 'found "-"'],
  ['annotation.age > "x"', 17, ['a number'], 'expected a number after >'],
  ['annotation.k CONTAINS 5', 22, ['a quoted string'], 'expected a quoted string after CONTAINS'],
  ['annotation.k = maybe', 15, ['a number', 'a quoted string', 'true', 'false'], 'found "maybe"'],
  ['annotation["k" = 1', 15, [']'], 'expected "]" after the annotation key'],
  ['http.url CONTAINS 5', 18, ['a quoted string'], 'found "5"'],
  ['()', 1, termStart, 'expected a filter term (a keyword, "!", NOT or "("), found ")"'],
  ['ok AND', 6, termStart, 'found end of input'],
  ['OR ok', 0, termStart, 'found "OR"'],
  ['NOT', 3, termStart, 'found end of input'],
  ['group.name > "x"', 11, ['=', '!='], 'expected "=" or "!=" after group.name'],
  ['rootcause.json = #[{"a": }]', 18, ['JSON'], 'invalid JSON in #[…]'],
  ['rootcause.json = #[1', 20, [']'], 'expected a closing ] for the literal starting at position 17'],
  ['rootcause.json = [1]', 17, ['#['], 'expected a #[…] root-cause JSON literal after ='],
];

test('syntax errors name the position and what was expected (table)', () => {
  for (const [source, position, expected, message] of table) {
    assert.throws(
      () => parseFilter(source),
      (err: unknown) => {
        assert.ok(err instanceof FilterSyntaxError, `${source}: ${String(err)}`);
        assert.equal(err.position, position, `${source}: position (${err.message})`);
        assert.deepEqual(err.expected, expected, `${source}: expected (${err.message})`);
        assert.ok(err.message.includes(message), `${source}: message ${JSON.stringify(err.message)} lacks ${JSON.stringify(message)}`);
        assert.ok(err.message.startsWith(`at position ${position}: `), `${source}: ${err.message}`);
        return true;
      },
      source,
    );
  }
});

test('an unknown keyword carries its suggestion for the UI', () => {
  try {
    parseFilter('ok AND responsetme > 5');
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof FilterSyntaxError);
    assert.equal(err.suggestion, 'responsetime');
    assert.equal(err.position, 7);
    assert.equal(err.code, 'bad_request');
  }
});

test('group filters parse but are refused when compiled: there are no groups here', () => {
  assert.ok(parseFilter('ok AND group.name = "slow"'));
  assert.throws(
    () => compileFilter('ok AND group.name = "slow"'),
    (err: unknown) => err instanceof FilterSyntaxError && err.position === 7 && /only in the X-Ray API/.test(err.message),
  );
});

test('hostile nesting is a syntax error, not a stack overflow', () => {
  for (const source of ['('.repeat(5000) + 'ok' + ')'.repeat(5000), '!'.repeat(5000) + 'ok', 'NOT '.repeat(5000) + 'ok']) {
    assert.throws(() => parseFilter(source), (err: unknown) => err instanceof FilterSyntaxError && /nested more than 100 levels/.test(err.message));
  }
  assert.ok(parseFilter('('.repeat(50) + 'ok' + ')'.repeat(50)));
});
