/**
 * The MCP server at `POST /mcp` of the real trace-console process, driven by the official
 * SDK's own Client over StreamableHTTPClientTransport: the tools are listed, and each one
 * answers from what the console received over UDP.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { datagram, fetchTrace, traceId } from '../fixtures.ts';

test('MCP server over streamable HTTP', async (t) => {
  const dir = tempDir(t);
  const rules = join(dir, 'rules.json');
  writeFileSync(rules, JSON.stringify({ version: 2, rules: [
    { description: 'health', host: '*', http_method: 'GET', url_path: '/health', fixed_target: 0, rate: 0 },
    { description: 'archiver posts', service_name: 'archiver', http_method: 'POST', url_path: '/archive*', fixed_target: 2, rate: 0.5 },
  ], default: { fixed_target: 1, rate: 0.05 } }));
  const tc = await startConsole(t, { db: join(dir, 'traces.db'), args: ['--sampling-rules', rules] });
  const ok = fetchTrace();
  const failed = fetchTrace({ status: 502, upstreamStatus: 503 });
  await tc.send(datagram(ok.fetcher), datagram(ok.archiver), datagram(failed.fetcher));
  await tc.waitForTrace(ok.trace, (tr) => tr.segments.length === 2);
  await tc.waitForTrace(failed.trace);

  const client = new Client({ name: 'trace-console-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${tc.url}/mcp`)));
  t.after(() => client.close());
  const call = async (name: string, args: Record<string, unknown>) => {
    const res = (await client.callTool({ name, arguments: args })) as { content: { type: string; text: string }[]; isError?: boolean };
    return { isError: res.isError === true, text: res.content[0]!.text, json: res.isError ? undefined : JSON.parse(res.content[0]!.text) };
  };

  await t.test('lists its tools with descriptions and input schemas', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((x) => x.name).sort(), ['diagnose_trace', 'diff_traces', 'explain_sampling', 'get_trace', 'search_traces', 'service_map']);
    for (const tool of tools) {
      assert.ok((tool.description ?? '').length > 20, tool.name);
      assert.equal(tool.inputSchema.type, 'object');
    }
    assert.equal(client.getServerVersion()?.name, 'trace-console');
  });

  await t.test('search_traces takes an X-Ray filter expression; a bad one is an error result with the position', async () => {
    const faults = await call('search_traces', { filter: 'fault AND service("fetcher")' });
    assert.deepEqual(faults.json.traces.map((x: any) => x.id), [failed.trace]);
    const all = await call('search_traces', { limit: 1 });
    assert.equal(all.json.traces.length, 1);
    assert.equal(all.json.more, true);
    const bad = await call('search_traces', { filter: 'http.status >= ' });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /invalid filter at position \d+/);
  });

  await t.test('get_trace returns the documents as received; an unknown id is an error result', async () => {
    const got = await call('get_trace', { id: ok.trace });
    assert.deepEqual(got.json.segments.map((d: any) => d.name).sort(), ['archiver', 'fetcher']);
    const missing = await call('get_trace', { id: traceId() });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /^not_found: /);
  });

  await t.test('diagnose_trace names the service that should have sent the missing segment', async () => {
    const d = await call('diagnose_trace', { id: failed.trace });
    const down = d.json.findings.find((f: any) => f.kind === 'missing_downstream');
    assert.equal(down.service, 'archiver');
    const never = await call('diagnose_trace', { id: traceId() });
    assert.equal(never.json.stored, false);
    assert.equal(never.json.findings[0].kind, 'not_received');
  });

  await t.test('diff_traces aligns two traces', async () => {
    const d = await call('diff_traces', { a: ok.trace, b: failed.trace });
    assert.equal(d.json.counts.only_a, 1, 'the archiver segment is only in A');
    assert.equal(d.json.counts.errors_appeared, 2);
  });

  await t.test('service_map reads the map', async () => {
    const m = await call('service_map', {});
    const fetcher = m.json.services.find((s: any) => s.name === 'fetcher');
    assert.ok(fetcher.edges.some((e: any) => e.to === 'archiver'), JSON.stringify(fetcher));
  });

  await t.test('explain_sampling says which rule matches and why the earlier ones did not', async () => {
    const e = await call('explain_sampling', { service_name: 'archiver', http_method: 'POST', url_path: '/archive', host: 'localhost' });
    assert.equal(e.json.rule, 'archiver posts');
    assert.equal(e.json.reservoir, 2);
    assert.equal(e.json.fixed_rate, 0.5);
    assert.deepEqual(e.json.tried.map((r: any) => [r.rule, r.matched]), [['health', false], ['archiver posts', true]]);
    assert.deepEqual(e.json.tried[0].failed, [
      { field: 'HTTPMethod', pattern: 'GET', value: 'POST', why: 'http_method "POST" does not match "GET"' },
      { field: 'URLPath', pattern: '/health', value: '/archive', why: 'url_path "/archive" does not match "/health"' },
    ]);
    // The same answer as POST /api/sampling/explain: the quota granted now (nobody reports here).
    assert.deepEqual(e.json.grants, { active_clients: 0, clients: [] });
    const other = await call('explain_sampling', { service_name: 'fetcher', http_method: 'GET', url_path: '/fetch/x' });
    assert.equal(other.json.rule, 'Default');
    assert.deepEqual(other.json.tried.at(-2).failed.map((f: any) => f.field), ['ServiceName', 'HTTPMethod', 'URLPath']);
  });

  await t.test('GET /mcp is a 405 in the contract shape (stateless: no stream)', async () => {
    const res = await tc.get('/mcp');
    assert.equal(res.status, 405);
    assert.equal(res.json.code, 'method_not_allowed');
  });
});

test('MCP behind the console token: the SDK client sends it as a header; without it, 401', async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), token: 'mcp-secret-token-123456' });
  const bare = new Client({ name: 'no-token', version: '1.0.0' });
  await assert.rejects(bare.connect(new StreamableHTTPClientTransport(new URL(`${tc.url}/mcp`))), /401|unauthorized|Authorization/i);
  const client = new Client({ name: 'with-token', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${tc.url}/mcp`), { requestInit: { headers: { authorization: 'Bearer mcp-secret-token-123456' } } }));
  t.after(() => client.close());
  const res = (await client.callTool({ name: 'search_traces', arguments: {} })) as { content: { text: string }[] };
  assert.deepEqual(JSON.parse(res.content[0]!.text), { traces: [], more: false });
});
