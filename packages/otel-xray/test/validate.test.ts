/** The document validator must itself reject what X-Ray rejects, or its passes mean nothing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDocument } from './validate.ts';

const segment = { name: 'fetcher', id: '53995c3f42cd8ad8', trace_id: '1-65920080-a006649127e371903a2de979', start_time: 1704067200.1, end_time: 1704067200.2 };
const subsegment = { ...segment, name: 'example.com', type: 'subsegment', parent_id: '1111222233334444', namespace: 'remote' };

test('validate: minimal segment and subsegment are valid', () => {
  assert.deepEqual(validateDocument(segment), []);
  assert.deepEqual(validateDocument(subsegment), []);
});

const broken: Array<[string, Record<string, unknown>, RegExp]> = [
  ['missing name', { ...segment, name: undefined }, /name: required/],
  ['name with bad chars', { ...segment, name: 'a<b>' }, /name: .* characters outside/],
  ['name too long', { ...segment, name: 'x'.repeat(201) }, /over 200/],
  ['id not 16 hex', { ...segment, id: 'ABC' }, /id: /],
  ['zero id', { ...segment, id: '0000000000000000' }, /id: /],
  ['otel-form trace id', { ...segment, trace_id: '65920080a006649127e371903a2de979' }, /trace_id/],
  ['milliseconds as start_time', { ...segment, start_time: 1704067200100 }, /start_time/],
  ['neither end_time nor in_progress', { ...segment, end_time: undefined }, /exactly one of end_time/],
  ['both end_time and in_progress', { ...segment, in_progress: true }, /exactly one of end_time/],
  ['end before start', { ...segment, end_time: 1704067200 }, /before start_time/],
  ['subsegment without parent_id', { ...subsegment, parent_id: undefined }, /needs parent_id/],
  ['unknown type', { ...segment, type: 'segment' }, /type: /],
  ['namespace on a segment', { ...segment, namespace: 'remote' }, /only subsegments/],
  ['bad namespace', { ...subsegment, namespace: 'local' }, /not aws or remote/],
  ['string flag', { ...segment, fault: 'true' }, /fault: not a boolean/],
  ['throttle without error', { ...segment, throttle: true, error: false }, /throttle without error/],
  ['annotation key with dash', { ...segment, annotations: { 'remote-url': 'x' } }, /key "remote-url"/],
  ['annotation object value', { ...segment, annotations: { a: { b: 1 } } }, /not a string, number or boolean/],
  ['51 annotations', { ...segment, annotations: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, /51 keys/],
  ['metadata namespace not an object', { ...segment, metadata: { default: 'x' } }, /namespace value must be an object/],
  ['reserved metadata namespace', { ...segment, metadata: { 'AWS.x': {} } }, /reserved/],
  ['traced on a segment', { ...segment, http: { request: { traced: true } } }, /subsegments only/],
  ['string status', { ...segment, http: { response: { status: '200' } } }, /status: not an integer/],
  ['exception without id', { ...segment, cause: { exceptions: [{ message: 'x' }] } }, /exceptions\[0\]\.id/],
  ['password in sql url', { ...subsegment, sql: { url: 'postgresql://u:secret@h/db' } }, /password/],
  ['NaN number', { ...segment, metadata: { default: { n: NaN } } }, /not valid JSON/],
  ['too big', { ...segment, metadata: { default: { big: 'x'.repeat(70_000) } } }, /over 64000/],
];

for (const [name, doc, message] of broken) {
  test(`validate rejects: ${name}`, () => {
    const errors = validateDocument(doc);
    assert.ok(errors.some((e) => message.test(e)), `expected ${message} in ${JSON.stringify(errors)}`);
  });
}
