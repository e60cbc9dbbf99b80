/**
 * Micro-benchmark sanity check, not a timing assertion: prints how long 100 000
 * evaluations take for a few typical filters, so a regression to per-trace allocation or
 * re-parsing shows up in the test output. Asserts only that the filters select something.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter } from '../../src/filter/evaluate.ts';
import { buildFilterTrace } from '../../src/model/build.ts';
import type { FilterTrace } from '../../src/model/model.ts';
import { archiverFault, fetchedAndArchived, notFound, throttledUpstream } from './fixtures.ts';

const COUNT = 100_000;

/** Distinct trace objects (not one object repeated), varied the way a real store would be. */
function manyTraces(): FilterTrace[] {
  const shapes = [fetchedAndArchived(), notFound(), throttledUpstream(), archiverFault()];
  const traces: FilterTrace[] = [];
  for (let i = 0; i < COUNT; i++) {
    const docs = shapes[i % shapes.length].map((d) => ({ ...d, start_time: (d as { start_time: number }).start_time + (i % 97) / 10 }));
    traces.push(buildFilterTrace(docs));
  }
  return traces;
}

const filters = [
  'responsetime > 1 AND http.status >= 500',
  'service("archiver") { fault }',
  'annotation.remote_status = 429 OR http.url CONTAINS "example"',
  'edge("fetcher", "archiver") { responsetime > 1 }',
  'ok !partial duration < 3 AND NOT service() { throttle }',
  'rootcause.fault.service { name = "sqlite" }',
];

test(`evaluating ${COUNT} traces (printed, not asserted)`, (t) => {
  const built = performance.now();
  const traces = manyTraces();
  t.diagnostic(`buildFilterTrace: ${(performance.now() - built).toFixed(0)} ms for ${COUNT} traces`);
  for (const source of filters) {
    const matches = compileFilter(source);
    let hits = 0;
    for (const trace of traces) if (matches(trace)) hits++; // warm-up pass
    const start = performance.now();
    hits = 0;
    for (const trace of traces) if (matches(trace)) hits++;
    const ms = performance.now() - start;
    t.diagnostic(`${ms.toFixed(1).padStart(6)} ms  ${hits.toString().padStart(6)} hits  ${source}`);
    assert.ok(hits > 0 && hits < COUNT, source);
  }
});
