/** BatchGetTraces' processed documents: independent subsegments embedded, inferred segments added. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processedSegments } from '../../src/xray/processed.ts';
import { fetchTrace, segment, spanId, traceId } from '../fixtures.ts';

test('independent subsegments are embedded under their parent, chains included', () => {
  const trace = traceId();
  const root = segment(trace, { name: 'root' });
  const a: Record<string, unknown> = { ...segment(trace, { name: 'a' }), type: 'subsegment', parent_id: root.id };
  const b = { ...segment(trace, { name: 'b' }), type: 'subsegment', parent_id: a.id };
  const out = processedSegments([b, root, a]);
  assert.equal(out.length, 1);
  const embeddedA = (out[0]!.subsegments as any[])[0];
  assert.equal(embeddedA.name, 'a');
  assert.equal(embeddedA.type, undefined);
  assert.equal(embeddedA.parent_id, undefined);
  assert.equal(embeddedA.subsegments[0].name, 'b');
});

test('orphans and parent_id cycles stay top-level instead of nesting forever', () => {
  const trace = traceId();
  const [x, y] = [spanId(), spanId()];
  const a = { ...segment(trace, { id: x }), type: 'subsegment', parent_id: y };
  const b = { ...segment(trace, { id: y }), type: 'subsegment', parent_id: x };
  const orphan = { ...segment(trace), type: 'subsegment', parent_id: spanId() };
  const out = processedSegments([a, b, orphan]);
  assert.equal(out.length, 3);
  assert.doesNotThrow(() => JSON.stringify(out));
});

test('an unanswered remote call gets a stable inferred segment; an answered one does not', () => {
  const { fetcher, archiver } = fetchTrace();
  const first = processedSegments([fetcher, archiver]);
  const second = processedSegments([fetcher, archiver]);
  const inferred = first.filter((d) => d.inferred === true);
  assert.deepEqual(inferred.map((d) => d.name), ['example.test']);
  assert.deepEqual(inferred, second.filter((d) => d.inferred === true));
  assert.match(inferred[0]!.id as string, /^[0-9a-f]{16}$/);
  const withoutArchiver = processedSegments([fetcher]).filter((d) => d.inferred === true);
  assert.deepEqual(withoutArchiver.map((d) => d.name).sort(), ['archiver', 'example.test']);
});
