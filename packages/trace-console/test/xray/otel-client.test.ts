/** ListRetrievedTraces' OTEL format: a direct client stays direct on the way back to X-Ray. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toOtelSpans } from '../../src/xray/otel.ts';

const segment = (request: Record<string, unknown>) => ({
  name: 'fetcher', id: '53995c3f42cd8ad8', trace_id: '1-5759e988-bd862e3fe1be46a994272793',
  start_time: 1.7e9, end_time: 1.7e9 + 0.1, http: { request: { method: 'GET', ...request }, response: { status: 200 } },
});
const attrs = (doc: object) => {
  const [span] = toOtelSpans([doc as never]);
  const s = (span!.document as any).resourceSpans[0].scopeSpans[0].spans[0];
  return Object.fromEntries(s.attributes.map((a: { key: string; value: { stringValue?: string } }) => [a.key, a.value.stringValue]));
};

test('otel: a client_ip that was not forwarded is the peer too; a forwarded one is the client only', () => {
  const direct = attrs(segment({ client_ip: '198.51.100.7' }));
  assert.equal(direct['client.address'], '198.51.100.7');
  assert.equal(direct['network.peer.address'], '198.51.100.7');
  const forwarded = attrs(segment({ client_ip: '198.51.100.7', x_forwarded_for: true }));
  assert.equal(forwarded['client.address'], '198.51.100.7');
  assert.equal(forwarded['network.peer.address'], undefined);
});
