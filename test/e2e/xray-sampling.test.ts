/** OTEL_TRACES_SAMPLER=xray: a real archiver follows the sampling rules a real trace-console serves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConsole } from '@tfa/test-helpers/console';
import { startArchiver } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';

const rule = (name: string, priority: number, fixedRate: number, method: string, path: string) => ({
  RuleName: name,
  Priority: priority,
  FixedRate: fixedRate,
  ReservoirSize: 0,
  ServiceName: name === 'Default' ? '*' : 'archiver',
  ServiceType: '*',
  Host: '*',
  HTTPMethod: method,
  URLPath: path,
  ResourceARN: '*',
  Version: 1,
});

test('the archiver samples by the rules trace-console serves', async (t) => {
  const dir = tempDir(t);
  const rules = join(dir, 'rules.json');
  // reads of one archive are always traced; everything else never (no reservoir either)
  writeFileSync(rules, JSON.stringify([rule('reads', 1, 1, 'GET', '/archive/*'), rule('Default', 10000, 0, '*', '*')]));
  const tc = await startConsole(t, { db: join(dir, 'traces.db'), args: ['--sampling-rules', rules] });
  const served = await (await fetch(`${tc.url}/GetSamplingRules`, { method: 'POST', body: '{}' })).json();
  assert.deepEqual(served.SamplingRuleRecords.map((r: any) => r.SamplingRule.RuleName).sort(), ['Default', 'reads']);
  const archiver = await startArchiver(t, {
    db: join(dir, 'a.db'),
    env: { OTEL_TRACES_EXPORTER: 'xray', OTEL_TRACES_SAMPLER: 'xray', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${tc.port}` },
  });
  const created = await (await fetch(`${archiver.url}/archive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 200, body: 'x' }) })).json();
  // the sampler fetches the rules at start; give it a moment before judging
  await new Promise((r) => setTimeout(r, 1500));
  const traceOf = (res: Response) => /Root=([^;]+);Sampled=([01])/.exec(res.headers.get('x-amzn-trace-id') ?? '')!;
  const reads: string[] = [];
  const lists: string[] = [];
  for (let i = 0; i < 5; i++) {
    const read = await fetch(`${archiver.url}${created.href}`);
    await read.arrayBuffer();
    const [, id, sampled] = traceOf(read);
    assert.equal(sampled, '1', 'GET /archive/* matches the "reads" rule (FixedRate 1)');
    reads.push(id!);
    const list = await fetch(`${archiver.url}/archive?limit=1`);
    await list.arrayBuffer();
    const [, listId, listSampled] = traceOf(list);
    assert.equal(listSampled, '0', 'GET /archive falls to the Default rule (FixedRate 0)');
    lists.push(listId!);
  }
  for (const id of reads) await tc.waitForTrace(id);
  await new Promise((r) => setTimeout(r, 500));
  for (const id of lists) assert.equal((await tc.get(`/api/traces/${id}`)).status, 404, 'unsampled requests send nothing');

  // A rule created through the X-Ray API reaches the running sampler at its next
  // GetSamplingTargets (every 10 s), through LastRuleModification: no restart.
  const create = await fetch(`${tc.url}/CreateSamplingRule`, { method: 'POST', body: JSON.stringify({ SamplingRule: rule('lists', 2, 1, 'GET', '/archive') }) });
  assert.equal(create.status, 200, await create.clone().text());
  const deadline = Date.now() + 25_000;
  let sampledId: string | undefined;
  while (sampledId === undefined && Date.now() < deadline) {
    const list = await fetch(`${archiver.url}/archive?limit=1`);
    await list.arrayBuffer();
    const [, listId, listSampled] = traceOf(list);
    if (listSampled === '1') sampledId = listId;
    else await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(sampledId, 'GET /archive is sampled once the "lists" rule is served');
  await tc.waitForTrace(sampledId);
});
