/**
 * The Sampling page and the group picker in headless Chromium against the real trace-console:
 * rules from `--sampling-rules FILE` with the counters SDK reports (GetSamplingTargets) leave,
 * refreshing; "explain" names the matching rule and why the rules before it failed; rules are
 * created, edited and deleted through the X-Ray API (checked with GetSamplingRules), AWS's
 * error answer shown. Groups (CreateGroup) narrow the trace list and the map, the choice kept
 * in the URL. Throughout: no console errors and no request off loopback.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { browserMissing, launch, offLoopback, watchedPage } from '../../packages/trace-console/test/ui/browser.ts';
import { datagram, fetchTrace, segment, traceId } from '../../packages/trace-console/test/fixtures.ts';

const skip = browserMissing();
const CLIENT = '0123456789abcdef01234567';

test('Sampling page and group picker of the real console', { skip, timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const rules = join(dir, 'rules.json');
  writeFileSync(rules, JSON.stringify({ version: 2, rules: [
    { description: 'api', host: '*', http_method: '*', url_path: '/api/*', fixed_target: 3, rate: 0.5 },
    { description: 'health', host: '*', http_method: 'GET', url_path: '/health', fixed_target: 0, rate: 0 },
  ], default: { fixed_target: 1, rate: 0.05 } }));
  const tc = await startConsole(t, { db: join(dir, 'traces.db'), args: ['--sampling-rules', rules] });
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${tc.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as any;
    assert.equal(res.status, 200, JSON.stringify(json));
    return json;
  };
  const report = (RuleName: string, RequestCount: number, SampledCount: number, BorrowCount = 0) =>
    api('/SamplingTargets', { SamplingStatisticsDocuments: [{ RuleName, ClientID: CLIENT, Timestamp: Date.now() / 1000, RequestCount, SampledCount, BorrowCount }] });
  const ruleNames = async () => (await api('/GetSamplingRules', {})).SamplingRuleRecords.map((r: any) => r.SamplingRule.RuleName);

  const browser = await launch(t);
  const { page, errors, requests } = await watchedPage(browser);
  const row = (name: string) => page.locator(`.sampling-rules tr[data-rule="${name}"]`);
  const counter = (name: string, which: string) => row(name).locator(`[data-counter=${which}]`);

  await t.test('the page lists the rules in matching order with live counters', async () => {
    await report('api', 12, 5, 1);
    await page.goto(tc.url);
    await page.getByRole('link', { name: 'Sampling' }).click();
    await row('Default').waitFor();
    assert.equal(new URL(page.url()).pathname, '/sampling');
    assert.deepEqual(await page.locator('.sampling-rules tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.rule)), ['api', 'health', 'Default']);
    assert.equal(await counter('api', 'requests').textContent(), '12');
    assert.equal(await counter('api', 'sampled').textContent(), '5');
    assert.equal(await counter('api', 'borrowed').textContent(), '1');
    // A new report shows without a reload (the page refreshes every 5 s).
    await report('api', 8, 2);
    await page.waitForFunction(() => {
      const v = document.querySelector('.sampling-rules tr[data-rule="api"] [data-counter=requests]')?.textContent;
      return v === '20' || v === '8'; // 8 when the report fell into a new minute
    }, undefined, { timeout: 15_000 });
  });

  await t.test('explain names the rule and why the ones before it did not match', async () => {
    await page.getByLabel('HTTP method').fill('GET');
    await page.getByLabel('URL path').fill('/health');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.getByTestId('explain-rule').waitFor();
    assert.equal(await page.getByTestId('explain-rule').getAttribute('data-rule'), 'health');
    assert.match(await page.getByTestId('explain-rule').textContent() ?? '', /^health \(priority 2\) matches; 1 rule before it did not: 0 per second, then 0 %/);
    assert.match(await page.locator('.explain-tried li[data-rule=api]').textContent() ?? '', /url_path "\/health" does not match "\/api\/\*"/);
    assert.match(await page.getByTestId('explain-grants').textContent() ?? '', /No SDK client is reporting requests for this rule now/);
    await page.locator('.sampling-rules tr.matched[data-rule=health]').waitFor();
    // The api rule's reservoir of 3 goes to the one client that reported for it (clients count as active for 20 s).
    await report('api', 1, 0);
    await page.getByLabel('URL path').fill('/api/items');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=explain-rule]')?.getAttribute('data-rule') === 'api');
    assert.match(await page.getByTestId('explain-grants').textContent() ?? '', /Granted now: 01234567… 3\/s \(the reservoir of 3\/s split among 1 active client\)/);
    // A request only Default matches.
    await page.getByLabel('URL path').fill('/other');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=explain-rule]')?.getAttribute('data-rule') === 'Default');
    assert.equal(await page.locator('.explain-tried li.failed').count(), 2);
  });

  await t.test('create, edit and delete a rule through the X-Ray API', async () => {
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New sampling rule' });
    await form.getByLabel('Rule name').fill('checkout');
    await form.getByLabel('Priority').fill('5');
    await form.getByLabel('Reservoir (per second)').fill('2');
    await form.getByLabel('Fixed rate (0 to 1)').fill('0.25');
    await form.getByLabel('URLPath').fill('/checkout*');
    await form.getByLabel('HTTPMethod').fill('POST');
    await form.getByRole('button', { name: 'Create' }).click();
    await row('checkout').waitFor();
    // The file's rules have priorities 1 and 2 (their position).
    assert.deepEqual(await ruleNames(), ['api', 'health', 'checkout', 'Default']);
    const created = (await api('/GetSamplingRules', {})).SamplingRuleRecords[2].SamplingRule;
    assert.deepEqual([created.Priority, created.ReservoirSize, created.FixedRate, created.URLPath, created.HTTPMethod], [5, 2, 0.25, '/checkout*', 'POST']);

    // The same name again: AWS's error answer, shown as it came.
    await page.getByRole('button', { name: 'New rule' }).click();
    await form.getByLabel('Rule name').fill('checkout');
    await form.getByLabel('Priority').fill('6');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('rule-error').waitFor();
    assert.match(await page.getByTestId('rule-error').textContent() ?? '', /^InvalidRequestException: Sampling rule checkout already exists/);
    // A bad value: X-Ray's validation message.
    await form.getByLabel('Rule name').fill('other');
    await form.getByLabel('Fixed rate (0 to 1)').fill('2');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.waitForFunction(() => /FixedRate/.test(document.querySelector('[data-testid=rule-error]')?.textContent ?? ''));
    await form.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Edit checkout' }).click();
    const edit = page.getByRole('form', { name: 'Edit checkout' });
    assert.equal(await edit.getByLabel('Rule name').isDisabled(), true);
    await edit.getByLabel('Fixed rate (0 to 1)').fill('0.75');
    await edit.getByLabel('Priority').fill('50');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(() => document.querySelector('.sampling-rules tr[data-rule="checkout"] td:nth-child(5)')?.textContent === '75 %');
    const updated = (await api('/GetSamplingRules', {})).SamplingRuleRecords.find((r: any) => r.SamplingRule.RuleName === 'checkout').SamplingRule;
    assert.deepEqual([updated.FixedRate, updated.Priority], [0.75, 50]);
    assert.deepEqual(await ruleNames(), ['api', 'health', 'checkout', 'Default']);

    // The Default rule: only its reservoir and rate can change.
    await page.getByRole('button', { name: 'Edit Default' }).click();
    const def = page.getByRole('form', { name: 'Edit Default' });
    assert.equal(await def.getByLabel('URLPath').isDisabled(), true);
    await def.getByLabel('Reservoir (per second)').fill('4');
    await def.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(() => document.querySelector('.sampling-rules tr[data-rule="Default"] td:nth-child(4)')?.textContent === '4/s');
    assert.equal(await row('Default').getByRole('button', { name: 'Delete Default' }).count(), 0);

    const del = page.getByRole('button', { name: 'Delete checkout' });
    await del.click();
    assert.equal(await del.textContent(), 'Confirm delete');
    await del.click();
    await row('checkout').waitFor({ state: 'detached' });
    assert.deepEqual(await ruleNames(), ['api', 'health', 'Default']);
  });

  await t.test('a group narrows the trace list and the map; the URL keeps the choice', async () => {
    const ok = fetchTrace();
    const failed = fetchTrace({ status: 502, upstreamStatus: 503 });
    const other = traceId();
    await tc.send(datagram(ok.fetcher), datagram(ok.archiver), datagram(failed.fetcher), datagram(segment(other, { name: 'billing' })));
    for (const id of [ok.trace, failed.trace, other]) await tc.waitForTrace(id);
    await api('/CreateGroup', { GroupName: 'faults', FilterExpression: 'fault' });
    await api('/CreateGroup', { GroupName: 'billing', FilterExpression: 'service("billing")' });

    const rows = page.locator('.trace-list .vl-row:not([hidden])');
    await page.goto(`${tc.url}/?range=all`);
    await page.waitForFunction(() => document.querySelectorAll('.trace-list .vl-row:not([hidden])').length === 3);
    const picker = page.getByLabel('Group');
    await page.waitForFunction(() => document.querySelectorAll('select[name=group] option').length === 3);
    await picker.selectOption('faults');
    await page.waitForFunction(() => document.querySelectorAll('.trace-list .vl-row:not([hidden])').length === 1);
    assert.equal(await rows.first().getAttribute('data-id'), failed.trace);
    assert.equal(new URL(page.url()).searchParams.get('group'), 'faults');
    assert.equal(await page.getByTestId('group-expression').textContent(), 'fault');
    // The URL reproduces the view.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('.trace-list .vl-row:not([hidden])').length === 1);
    assert.equal(await picker.inputValue(), 'faults');

    await page.goto(`${tc.url}/map?range=all&group=billing`);
    await page.locator('.map-canvas .node[data-name=billing]').waitFor();
    assert.equal(await page.getByLabel('Group').inputValue(), 'billing');
    assert.equal(await page.locator('.map-canvas .node[data-name=fetcher]').count(), 0);
    await page.getByLabel('Group').selectOption('');
    await page.locator('.map-canvas .node[data-name=fetcher]').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('group'), null);
    await page.getByLabel('Group').selectOption('faults');
    await page.waitForFunction(() => !document.querySelector('.map-canvas .node[data-name=billing]') && !!document.querySelector('.map-canvas .node[data-name=fetcher]'));
    assert.equal(new URL(page.url()).searchParams.get('group'), 'faults');
    // The map's traces panel is narrowed too.
    await page.locator('.map-canvas .node[data-name=fetcher]').click();
    await page.waitForFunction(() => /^1 trace$/.test(document.querySelector('.map-panel .row .muted')?.textContent ?? ''));
    assert.equal(new URL((await page.getByRole('link', { name: 'Open in Traces' }).getAttribute('href'))!, tc.url).searchParams.get('group'), 'faults');
    // An unknown group says so.
    await page.goto(`${tc.url}/?range=all&group=gone`);
    await page.waitForFunction(() => /no group "gone"/.test(document.querySelector('.empty')?.textContent ?? ''));
  });

  // The refused rules (400) and the unknown group (404) are the only failed loads the browser logs.
  assert.deepEqual(errors.filter((e) => !/status of (400 \(Bad Request\)|404 \(Not Found\))/.test(e)), [], 'no console errors');
  assert.equal(errors.length, 3, errors.join('\n'));
  assert.deepEqual(offLoopback(requests), []);
});
