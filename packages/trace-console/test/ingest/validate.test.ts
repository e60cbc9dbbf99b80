/** The document checks of the daemon stand-in: table cases built from one valid segment. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDocument, isProblem, MAX_DOCUMENT_BYTES, type ProblemKind } from '../../src/ingest/validate.ts';
import { segment, spanId, traceId } from '../fixtures.ts';

const now = Date.now();
const epochHex = (secondsFromNow: number) => Math.floor(now / 1000 + secondsFromNow).toString(16).padStart(8, '0');

test('document checks: each refusal has its kind', () => {
  const trace = traceId();
  const base = segment(trace);
  const cases: [string, unknown, ProblemKind | 'ok'][] = [
    ['a complete segment', base, 'ok'],
    ['an in-progress segment', { ...base, end_time: undefined, in_progress: true }, 'ok'],
    ['an independent subsegment', { ...base, type: 'subsegment', parent_id: spanId() }, 'ok'],
    ['a trace id 29 days old', { ...base, trace_id: `1-${epochHex(-29 * 86400)}-${'1'.repeat(24)}` }, 'ok'],
    ['not JSON', '{"name":', 'malformed'],
    ['a JSON array', [base], 'malformed'],
    ['no name', { ...base, name: undefined }, 'missing_fields'],
    ['a 201-character name', { ...base, name: 'n'.repeat(201) }, 'missing_fields'],
    ['an upper-case id', { ...base, id: 'ABCDEF0123456789' }, 'missing_fields'],
    ['no end_time and not in progress', { ...base, end_time: undefined }, 'missing_fields'],
    ['start_time as a string', { ...base, start_time: '1700000000' }, 'missing_fields'],
    ['a subsegment without parent_id', { ...base, type: 'subsegment' }, 'missing_fields'],
    ['an unknown type', { ...base, type: 'segment' }, 'missing_fields'],
    ['no trace_id', { ...base, trace_id: undefined }, 'missing_fields'],
    ['a W3C-form trace id', { ...base, trace_id: trace.replace(/-/g, '').slice(1) }, 'rejected_trace_id'],
    ['a trace id 31 days old', { ...base, trace_id: `1-${epochHex(-31 * 86400)}-${'1'.repeat(24)}` }, 'rejected_trace_id'],
    ['a trace id 10 minutes ahead', { ...base, trace_id: `1-${epochHex(600)}-${'1'.repeat(24)}` }, 'rejected_trace_id'],
    ['over 64 kB', { ...base, metadata: { default: { x: 'x'.repeat(MAX_DOCUMENT_BYTES) } } }, 'oversized'],
  ];
  for (const [name, doc, expected] of cases) {
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
    const r = checkDocument(text, now);
    assert.equal(isProblem(r) ? r.kind : 'ok', expected, name);
    if (isProblem(r)) assert.ok(r.detail.length > 0, name);
    else assert.equal(r.doc.raw, text, name);
  }
});
