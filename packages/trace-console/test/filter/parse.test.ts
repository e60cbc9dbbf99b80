import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr, Selector } from '../../src/filter/ast.ts';
import { parseFilter } from '../../src/filter/parser.ts';
import { parseTable } from './expressions.ts';

/** Prints a tree compactly so the table shows precedence and normalisation at a glance. */
function show(e: Expr): string {
  const block = (f: Expr | null) => (f === null ? '' : ` {${show(f)}}`);
  const sel = (s: Selector) =>
    Object.entries(s)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ') || '*';
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${e.kind} ${e.items.map(show).join(' ')})`;
    case 'not':
      return `(not ${show(e.expr)})`;
    case 'bool':
      return e.value ? e.keyword : `(flag ${e.keyword} false)`;
    case 'number':
      return `(${e.keyword} ${e.op} ${e.value})`;
    case 'string':
      return e.op === 'set' ? `(${e.keyword} set)` : `(${e.keyword} ${e.op} ${JSON.stringify(e.value)})`;
    case 'annotation':
      return e.op === 'set' || e.op === 'unset' ? `(annotation.${e.key} ${e.op})` : `(annotation.${e.key} ${e.op} ${JSON.stringify(e.value)})`;
    case 'service':
      return `(service ${sel(e.selector)}${block(e.filter)})`;
    case 'edge':
      return `(edge ${sel(e.source)} ${sel(e.destination)}${block(e.filter)})`;
    case 'group':
      return `(group.${e.field} ${e.op} ${JSON.stringify(e.value)})`;
    case 'rootcause':
      return `(rootcause.${e.category}.${e.target}${block(e.filter)})`;
    case 'rootcauseJson':
      return `(rootcause.json ${e.op} ${JSON.stringify(e.value)})`;
  }
}

test('parses the X-Ray filter grammar (table)', () => {
  assert.ok(parseTable.length >= 40, 'at least 40 expressions');
  for (const [source, expected] of parseTable) {
    const ast = parseFilter(source);
    assert.ok(ast !== null, source);
    assert.equal(show(ast), expected, source);
  }
});

test('a blank expression means no filter', () => {
  assert.equal(parseFilter(''), null);
  assert.equal(parseFilter('  \n\t '), null);
});

test('nodes carry their source spans', () => {
  const source = 'ok AND service("archiver") { responsetime > 1 }';
  const ast = parseFilter(source);
  assert.ok(ast?.kind === 'and');
  const [ok, service] = ast.items;
  assert.deepEqual([ok.start, ok.end], [0, 2]);
  assert.equal(source.slice(service.start, service.end), 'service("archiver") { responsetime > 1 }');
  assert.ok(service.kind === 'service' && service.filter !== null);
  assert.equal(source.slice(service.filter.start, service.filter.end), 'responsetime > 1');
});

test('string escapes and both quote styles decode to the same value', () => {
  const a = parseFilter(`http.url = "it's \\"quoted\\" \\\\ here"`);
  const b = parseFilter(`http.url = 'it\\'s "quoted" \\\\ here'`);
  assert.ok(a?.kind === 'string' && b?.kind === 'string');
  assert.equal(a.value, `it's "quoted" \\ here`);
  assert.equal(b.value, a.value);
});

test('annotation keys keep their case; keywords do not care', () => {
  const ast = parseFilter('Annotation.Remote_Status >= 400');
  assert.ok(ast?.kind === 'annotation');
  assert.equal(ast.key, 'Remote_Status');
});
