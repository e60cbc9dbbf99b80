import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completions, keywords } from '../../src/filter/complete.ts';

const ctx = { services: ['fetcher', 'archiver', 'example.com'], annotationKeys: ['remote_url', 'remote_status', 'archive_id'] };

/** [source with | at the cursor, from, to, labels that must be offered (in order), labels that must not]. */
const table: Array<[string, number, number, string[], string[]]> = [
  ['|', 0, 0, ['ok', 'error', 'responsetime', 'http.url', 'annotation', 'service', 'edge'], ['coverage', 'root', 'AND', 'group.name']],
  ['resp|', 0, 4, ['responsetime'], ['ok']],
  ['RESP|', 0, 4, ['responsetime'], []],
  ['ok AND resp|', 7, 11, ['responsetime'], []],
  ['resp| > 5', 0, 4, ['responsetime'], []],
  ['responsetime |', 13, 13, ['=', '!=', '<', '<=', '>', '>='], ['AND', 'CONTAINS']],
  ['http.url |', 9, 9, ['=', '!=', 'CONTAINS', 'BEGINSWITH', 'ENDSWITH', 'AND', 'OR'], ['<']],
  ['http.url CON|', 9, 12, ['CONTAINS'], ['ENDSWITH']],
  ['ok |', 3, 3, ['=', '!=', 'AND', 'OR'], ['<']],
  ['ok = |', 5, 5, ['true', 'false'], []],
  ['http.method = |', 14, 14, ['GET', 'POST'], []],
  ['http.method = "P|', 15, 16, ['POST', 'PUT', 'PATCH'], ['GET']],
  ['annotation.k |', 13, 13, ['=', '<', 'CONTAINS', 'AND'], []],
  ['annotation.|', 11, 11, ['remote_url', 'remote_status', 'archive_id'], []],
  ['annotation.re| = 1', 11, 13, ['remote_url', 'remote_status'], ['archive_id']],
  ['annotation[|', 11, 11, ['remote_url', 'remote_status', 'archive_id'], ['ok']],
  ['annotation["a|', 12, 13, ['archive_id'], ['remote_url']],
  ['service(|', 8, 8, ['fetcher', 'archiver', 'example.com', 'id('], []],
  ['service("|', 9, 9, ['fetcher', 'archiver', 'example.com'], []],
  ['service("fe|")', 9, 11, ['fetcher'], ['archiver']],
  ['edge("fetcher", "|', 17, 17, ['fetcher', 'archiver'], []],
  ['service(id(|', 11, 11, ['name:', 'type:', 'account.id:'], []],
  ['service(id(name: "a|', 18, 19, ['archiver'], []],
  ['service("a") |', 13, 13, ['{', 'AND', 'OR', 'ok'], []],
  ['service("a") { |', 15, 15, ['ok', 'root', 'inferred', 'annotation'], ['service', 'edge']],
  ['edge("a", "b") { |', 17, 17, ['ok', 'responsetime'], ['duration', 'root', 'annotation']],
  ['service("a") { ok } |', 20, 20, ['AND', 'OR', 'service'], ['root']],
  ['rootcause.responsetime.entity { |', 32, 32, ['remote', 'first', 'last', 'index', 'coverage', 'name'], ['ok']],
  ['rootcause.fault.service |', 24, 24, ['{', 'AND'], []],
  ['responsetime > 5 |', 17, 17, ['AND', 'OR', 'ok'], []],
  ['(|', 1, 1, ['ok', 'service'], []],
  ['!|', 1, 1, ['ok', 'partial'], []],
];

test('completions at the cursor (table)', () => {
  for (const [marked, from, to, include, exclude] of table) {
    const cursor = marked.indexOf('|');
    const source = marked.replace('|', '');
    const got = completions(source, cursor, ctx);
    const labels = got.items.map((i) => i.label);
    assert.deepEqual([got.from, got.to], [from, to], `${marked}: range`);
    const positions = include.map((l) => labels.indexOf(l));
    assert.ok(!positions.includes(-1), `${marked}: ${JSON.stringify(labels)} lacks one of ${JSON.stringify(include)}`);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `${marked}: order of ${JSON.stringify(include)} in ${JSON.stringify(labels)}`);
    for (const l of exclude) assert.ok(!labels.includes(l), `${marked}: should not offer ${l}`);
  }
});

test('inserting a completion yields the intended text', () => {
  const apply = (marked: string, label: string) => {
    const cursor = marked.indexOf('|');
    const source = marked.replace('|', '');
    const { from, to, items } = completions(source, cursor, ctx);
    const item = items.find((i) => i.label === label)!;
    return source.slice(0, from) + item.insert + source.slice(to);
  };
  assert.equal(apply('service("|', 'archiver'), 'service("archiver"');
  assert.equal(apply('service("ar|")', 'archiver'), 'service("archiver")');
  assert.equal(apply('service(|', 'fetcher'), 'service("fetcher"');
  assert.equal(apply('annotation.re| > 1', 'remote_status'), 'annotation.remote_status > 1');
  assert.equal(apply('ok AND resp|', 'responsetime'), 'ok AND responsetime');
  assert.equal(apply('ok AND serv|', 'service'), 'ok AND service(');
  assert.equal(apply('http.url |', 'CONTAINS'), 'http.url CONTAINS ');
});

test('completion never throws on half-typed input', () => {
  const samples = ['service(id(name: "x", ', '"unclosed', '#[{"a', 'ok && (', ') ) }', 'annotation[', '!!!', 'edge(,', '5s', '😀'];
  for (const s of samples) for (let i = 0; i <= s.length; i++) assert.doesNotThrow(() => completions(s, i, ctx), `${s} @${i}`);
});

test('the keyword table documents every keyword in one line', () => {
  assert.ok(keywords.length >= 30);
  for (const k of keywords) {
    assert.ok(k.doc.length > 0 && !k.doc.includes('\n'), k.name);
    assert.equal(k.name, k.name.toLowerCase());
  }
});
