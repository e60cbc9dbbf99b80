import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import type { Expr } from '../../src/filter/ast.ts';
import { compileAst } from '../../src/filter/evaluate.ts';
import { buildFilterTrace } from '../../src/model/build.ts';
import type { FilterTrace } from '../../src/model/model.ts';
import { parseFilter } from '../../src/filter/parser.ts';
import { toSqlPrefilter } from '../../src/filter/sql.ts';
import { evaluationTable, parseTable } from './expressions.ts';
import { fixtureTraces } from './fixtures.ts';

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random traces that hit the prefilter's edges: missing fields, boundaries, astral characters. */
function randomTraces(count: number): FilterTrace[] {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const statuses = [200, 201, 404, 429, 500, 503, 600, undefined];
  const urls = ['https://example.com/page', 'http://127.0.0.1:8080/archive', 'https://api.example.org/items', 'https://x.test/😀/a.html', '', 'HTTPS://EXAMPLE.COM/', undefined];
  const methods = ['GET', 'POST', 'get', '', undefined];
  const times = [0, 0.2, 0.5, 2, 3, 5, 8, 5.0000001, 10];
  const traces: FilterTrace[] = [];
  for (let i = 0; i < count; i++) {
    const start = 1732700000 + i;
    const took = r() < 0.5 ? pick(times) : r() * 10;
    const status = pick(statuses);
    const url = pick(urls);
    const method = pick(methods);
    const request: Record<string, string> = {};
    if (url !== undefined) request.url = url;
    if (method !== undefined) request.method = method;
    const segment: Record<string, unknown> = {
      name: pick(['fetcher', 'archiver']), id: `r${i.toString(16).padStart(15, '0')}`, trace_id: `1-6746f0e0-${i.toString(16).padStart(24, '0')}`,
      start_time: start, http: { request, ...(status === undefined ? {} : { response: { status } }) },
      fault: r() < 0.1, error: r() < 0.1,
    };
    if (r() < 0.15) segment.in_progress = true;
    else segment.end_time = start + took;
    if (r() < 0.3) segment.subsegments = [{ name: 'up', id: `s${i.toString(16).padStart(15, '0')}`, namespace: 'remote', start_time: start, end_time: start + took * r() * 2, http: { response: { status: pick([200, 429, 500]) } } }];
    traces.push(buildFilterTrace([segment]));
  }
  return traces;
}

function load(traces: FilterTrace[]): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  db.exec(`CREATE TABLE traces (
    id TEXT PRIMARY KEY, start_time REAL, duration REAL NOT NULL, response_time REAL NOT NULL,
    http_status INTEGER, http_method TEXT, http_url TEXT,
    ok INTEGER NOT NULL, error INTEGER NOT NULL, fault INTEGER NOT NULL, throttle INTEGER NOT NULL, partial INTEGER NOT NULL)`);
  const insert = db.prepare('INSERT INTO traces VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const b = (v: boolean) => (v ? 1 : 0);
  for (const t of traces) {
    insert.run(t.id, t.startTime, t.duration, t.responseTime, t.http.status ?? null, t.http.method ?? null, t.http.url ?? null, b(t.ok), b(t.error), b(t.fault), b(t.throttle), b(t.partial));
  }
  return db;
}

const extra = [
  'http.status != 500', 'NOT http.status != 500', 'NOT http.status > 404', 'NOT (http.status >= 500 OR ok)',
  'NOT http.url CONTAINS "😀"', 'http.url ENDSWITH ".html"', 'NOT http.url ENDSWITH ".html"', 'http.url BEGINSWITH "😀"',
  'NOT http.url BEGINSWITH "https://"', 'http.url CONTAINS ""', 'NOT http.url CONTAINS ""', 'NOT http.method', 'http.method != "GET"',
  'NOT http.method = "GET"', 'NOT http.method != "GET"', 'duration = 5', 'responsetime = 0.2', 'NOT responsetime <= 3',
  'ok AND NOT (fault OR partial)', 'NOT (ok AND duration < 3)', 'NOT (http.url AND service("x"))', 'http.url = "" OR http.method = ""',
  'responsetime > 1e999', 'NOT (responsetime < 3 AND annotation.k)', 'NOT (throttle OR http.url ENDSWITH "/items")',
];

function expressions(): Array<[string, Expr]> {
  const sources = [...parseTable.map(([s]) => s), ...evaluationTable.map(([s]) => s), ...extra];
  const out: Array<[string, Expr]> = [];
  for (const source of sources) {
    const ast = parseFilter(source);
    if (ast !== null && !source.includes('group.')) out.push([source, ast]);
  }
  return out;
}

test('the SQL prefilter never drops a trace the filter matches (node:sqlite)', (t) => {
  const traces = [...Object.values(fixtureTraces()), ...randomTraces(600)];
  const db = load(traces);
  let pushed = 0;
  let exact = 0;
  for (const [source, ast] of expressions()) {
    const pre = toSqlPrefilter(ast);
    if (pre === null) continue;
    pushed++;
    const rows = db.prepare(`SELECT id FROM traces WHERE ${pre.where}`).all(...pre.params) as Array<{ id: string }>;
    const kept = new Set(rows.map((row) => row.id));
    const matches = compileAst(ast);
    const matched = traces.filter(matches).map((t) => t.id);
    for (const id of matched) assert.ok(kept.has(id), `${source}: ${id} matches but the prefilter (${pre.where}) drops it`);
    if (kept.size === matched.length) exact++;
  }
  db.close();
  t.diagnostic(`${expressions().length} expressions over ${traces.length} traces: ${pushed} pushed down, ${exact} of them exact`);
  assert.ok(pushed >= 60, `pushed down ${pushed} expressions`);
  // Pushed-down fragments over trace columns should mostly be exact, not just sound.
  assert.ok(exact / pushed > 0.5, `${exact} of ${pushed} exact`);
});

test('what is pushed down, and what is not', () => {
  const where = (s: string) => toSqlPrefilter(parseFilter(s));
  assert.deepEqual(where('responsetime > 5 AND http.status = 500'), { where: '(response_time > ?) AND (http_status = ?)', params: [5, 500] });
  assert.deepEqual(where('ok OR fault'), { where: '(ok = 1) OR (fault = 1)', params: [] });
  assert.deepEqual(where('NOT http.status > 404'), { where: '(http_status IS NULL OR http_status <= ?)', params: [404] });
  assert.deepEqual(where('service("a") AND duration >= 2'), { where: 'duration >= ?', params: [2] });
  assert.equal(where('service("a") OR duration >= 2'), null, 'an OR with an unpushable side restricts nothing');
  assert.equal(where('annotation.k = 1'), null);
  assert.equal(toSqlPrefilter(null), null);
  assert.deepEqual(toSqlPrefilter(parseFilter('ok'), 't'), { where: 't.ok = 1', params: [] });
  assert.throws(() => toSqlPrefilter(parseFilter('ok'), 't; DROP TABLE x'));
});

test('user values travel only as parameters', () => {
  const hostile = `x' OR 1=1; DROP TABLE traces; --`;
  const pre = toSqlPrefilter(parseFilter(`http.url CONTAINS "${hostile}"`))!;
  assert.ok(!pre.where.includes(hostile));
  assert.deepEqual(pre.params, [hostile]);
  const db = load(Object.values(fixtureTraces()));
  assert.deepEqual(db.prepare(`SELECT id FROM traces WHERE ${pre.where}`).all(...pre.params), []);
  assert.equal((db.prepare('SELECT count(*) AS n FROM traces').get() as { n: number }).n, 6);
  db.close();
});
