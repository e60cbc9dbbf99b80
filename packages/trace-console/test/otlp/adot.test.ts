/** ADOT's OTLP-over-UDP frames (XRAY-REFERENCE §2.6) decode like OTLP/HTTP bodies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAdotUdpPayload, OtlpDecodeError } from '../../src/otlp/decode.ts';
import { adotDatagram, assertSameAsSdk, sdkSpans } from './sdk-spans.ts';

const HEADER = '{"format":"json","version":1}\n';

test('a T1S datagram built as ADOT builds it yields its sampled spans', () => {
  const spans = sdkSpans();
  const frame = decodeAdotUdpPayload(adotDatagram(spans, 'T1S'));
  assert.ok(frame);
  assert.equal(frame.sampled, true);
  assertSameAsSdk(frame.spans, spans);
});

test('a T1U datagram yields its spans marked unsampled', () => {
  const spans = sdkSpans();
  const frame = decodeAdotUdpPayload(adotDatagram(spans, 'T1U'));
  assert.ok(frame);
  assert.equal(frame.sampled, false);
  assertSameAsSdk(frame.spans, spans);
});

test('datagrams that are no trace frame are left to the caller', () => {
  const segment = JSON.stringify({ name: 'svc', id: '53995c3f42cd8ad8', trace_id: '1-65920080-a006649127e371903a2de979', start_time: 1, in_progress: true });
  assert.equal(decodeAdotUdpPayload('{"format": "json", "version": 1}\n' + segment), undefined);
  assert.equal(decodeAdotUdpPayload(HEADER + 'M1' + Buffer.from([1, 2, 3]).toString('base64')), undefined, 'metrics frame');
  assert.equal(decodeAdotUdpPayload('T1S' + Buffer.from([1]).toString('base64')), undefined, 'no header line');
  assert.equal(decodeAdotUdpPayload(HEADER), undefined, 'empty body');
  assert.equal(decodeAdotUdpPayload(HEADER + 'T1'), undefined, 'bare T1 is not a trace prefix');
});

test('an empty T1S frame decodes to no spans', () => {
  assert.deepEqual(decodeAdotUdpPayload(HEADER + 'T1S'), { sampled: true, spans: [] });
});

test('a damaged T1S/T1U frame throws OtlpDecodeError', { timeout: 10_000 }, () => {
  const valid = adotDatagram(sdkSpans(), 'T1S');
  const cases: [string, string][] = [
    ['characters outside base64', HEADER + 'T1S' + '!!!!' + valid.slice(HEADER.length + 3)],
    ['unpadded length', HEADER + 'T1U' + 'AQI'],
    ['base64 cut short', valid.slice(0, valid.length - 5)],
    ['base64 of bytes that are no protobuf', HEADER + 'T1S' + Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]).toString('base64')],
    ['padding in the middle', HEADER + 'T1S' + 'AQ==AQ=='],
  ];
  for (const [what, text] of cases) {
    assert.throws(() => decodeAdotUdpPayload(text), OtlpDecodeError, what);
  }
});
