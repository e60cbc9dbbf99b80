/**
 * The console's analysis pages in headless Chromium against the real trace-console fed over
 * UDP: the diagnosis panel on a trace page, the page for an id that never arrived, the
 * span-by-span comparison of two traces, and the polished diagnostics and map pages.
 * Throughout: no console errors and no request off loopback.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { browserMissing, launch, offLoopback, watchedPage } from '../../packages/trace-console/test/ui/browser.ts';
import { datagram, fetchTrace, traceId } from '../../packages/trace-console/test/fixtures.ts';

const skip = browserMissing();

test('analysis pages of the real console', { skip, timeout: 120_000 }, async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), args: ['--settle', '300ms'] });
  const browser = await launch(t);
  const { page, errors, requests } = await watchedPage(browser);

  const whole = fetchTrace();
  Object.assign(whole.fetcher, { service: { version: '0.1.0' }, aws: { xray: { sdk: 'opentelemetry for js', sdk_version: '3.1.1' } } });
  const broken = fetchTrace({ status: 502, upstreamStatus: 503 });
  const firstSender = await tc.send(datagram(whole.fetcher), datagram(whole.archiver), datagram(broken.fetcher));
  await tc.waitForTrace(whole.trace, (tr) => tr.segments.length === 2);
  await tc.waitForTrace(broken.trace);

  await t.test('a trace page shows its diagnosis; a finding links to its span', async () => {
    await page.goto(`${tc.url}/trace/${whole.trace}`);
    await page.locator('[data-testid=diagnosis].clean').waitFor();
    assert.match(await page.locator('[data-testid=diagnosis]').textContent() ?? '', /Nothing wrong found/);
    await page.goto(`${tc.url}/trace/${broken.trace}`);
    const finding = page.locator('.finding[data-kind=missing_downstream]');
    await finding.waitFor();
    assert.match(await finding.textContent() ?? '', /archiver should have sent a segment/);
    await finding.getByRole('button').click();
    await page.waitForFunction((id) => new URL(location.href).searchParams.get('span') === id, broken.ids.archiverCall);
  });

  await t.test('an id that never arrived gets a page saying what happened', async () => {
    const tr = traceId();
    await tc.send(datagram({ name: 'fetcher', id: 'nothex', trace_id: tr, start_time: 1 }));
    await page.goto(`${tc.url}/trace/${tr}`);
    await page.locator('.missing-trace .events td').first().waitFor();
    const text = await page.locator('.missing-trace').textContent() ?? '';
    assert.match(text, /Trace not found/);
    assert.match(text, /a document was refused for missing fields/);
    assert.match(text, /missing fields/);
  });

  await t.test('"Compare with typical" opens the two traces aligned span by span', async () => {
    const same = [0.6, 0.8, 3.0].map((d) => {
      const f = fetchTrace({ host: 'typical.test' });
      return { f, doc: { ...f.fetcher, end_time: f.fetcher.start_time + d } };
    });
    await tc.send(...same.map((x) => datagram(x.doc)));
    for (const x of same) await tc.waitForTrace(x.f.trace);
    await page.goto(`${tc.url}/trace/${same[2]!.f.trace}`);
    await page.getByRole('link', { name: 'Compare with typical' }).click();
    await page.locator('.diff-table tbody tr').first().waitFor();
    assert.equal(new URL(page.url()).pathname, '/diff');
    assert.equal(await page.locator('input[name=b]').inputValue(), same[1]!.f.trace, 'the 0.8 s trace is the median');
    assert.equal(await page.getByTestId('diff-delta').textContent(), 'B is 2.20 s faster');
    assert.equal(await page.locator('.diff-table tbody tr').count(), 3, 'fetcher, its upstream call and its archiver call');
    // The URL reproduces the view.
    await page.reload();
    await page.locator('.diff-table tbody tr').first().waitFor();
    // From the trace list too: "vs typical" on a row.
    await page.goto(tc.url);
    const row = page.locator(`.trace-row[data-id="${same[0]!.f.trace}"]`);
    await row.hover();
    await row.getByRole('link', { name: `Compare ${same[0]!.f.trace} with a typical trace` }).click();
    await page.locator('.diff-table tbody tr').first().waitFor();
    assert.equal(await page.locator('input[name=b]').inputValue(), same[1]!.f.trace);
    // Two different traces by hand: an error appears.
    await page.locator('input[name=a]').fill(whole.trace);
    await page.locator('input[name=b]').fill(broken.trace);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.locator('.diff-row.appeared').first().waitFor();
    assert.match(await page.locator('.diff-row.only-a').first().textContent() ?? '', /only in A/);
  });

  await t.test("the trace page's overview shows fields, not raw JSON", async () => {
    await page.goto(`${tc.url}/trace/${whole.trace}`);
    const overview = page.locator('.detail .tab-body');
    await overview.locator('dt').first().waitFor();
    const text = await overview.textContent() ?? '';
    assert.doesNotMatch(text, /[{}]/, text);
    const rows = await overview.locator('dt').allTextContents();
    assert.ok(rows.includes('service version') && rows.includes('aws xray sdk version'), rows.join(' | '));
  });

  await t.test('diagnostics names senders by their services, shows rates, no null or counter names', async () => {
    await page.goto(`${tc.url}/diagnostics`);
    const sender = page.locator(`.sender[data-sender="${firstSender}"]`);
    await sender.waitFor();
    assert.match(await sender.locator('.sender-services').textContent() ?? '', /fetcher, archiver|archiver, fetcher/);
    assert.match(await sender.locator('[data-field=rate]').textContent() ?? '', /^\d+(\.\d)? per minute$/);
    const all = await page.locator('.diagnostics').textContent() ?? '';
    for (const raw of ['null', 'writeErrors', 'lastWriteError', 'relay_dropped', 'relay dropped']) assert.ok(!all.includes(raw), `${raw} shown in ${all}`);
    assert.match(all, /traces stored/);
  });

  await t.test('the map fits its canvas, zooms and pans; a few calls in the last hour read per hour, not 0.0/min', async () => {
    await page.goto(`${tc.url}/map`);
    const svg = page.locator('.map-canvas svg.fitted');
    await svg.locator('.node').first().waitFor();
    const canvas = (await page.locator('.map-canvas').boundingBox())!;
    const drawn = (await svg.boundingBox())!;
    assert.ok(drawn.width > canvas.width * 0.9 && drawn.height > canvas.height * 0.8, `svg ${JSON.stringify(drawn)} in canvas ${JSON.stringify(canvas)}`);
    const stats = await page.locator('.node[data-name=fetcher] .node-stat').allTextContents();
    assert.ok(stats.some((x) => /^\d+(\.\d)?\/h$/.test(x)), stats.join(' | '));
    assert.ok(!stats.some((x) => x === '0.0/min' || x === '0/min'), stats.join(' | '));
    const box = page.locator('.pan-zoom');
    const zoom0 = Number(await box.getAttribute('data-zoom'));
    await page.getByRole('button', { name: 'Zoom in' }).click();
    assert.ok(Number(await box.getAttribute('data-zoom')) > zoom0);
    const before = await svg.getAttribute('viewBox');
    await page.mouse.move(canvas.x + 40, canvas.y + canvas.height - 30);
    await page.mouse.down();
    await page.mouse.move(canvas.x + 140, canvas.y + canvas.height - 10, { steps: 5 });
    await page.mouse.up();
    assert.notEqual(await svg.getAttribute('viewBox'), before, 'dragging pans');
    await page.getByRole('button', { name: 'Fit to view' }).click();
    assert.equal(Number(await box.getAttribute('data-zoom')), zoom0);
  });

  await t.test('Compare overlays both sets\' response-time distributions', async () => {
    await page.goto(`${tc.url}/compare?a=ok&b=fault`);
    const dist = page.getByTestId('distribution');
    await dist.waitFor();
    assert.equal(await dist.locator('path.set-a').count(), 1);
    assert.equal(await dist.locator('path.set-b').count(), 1);
    assert.notEqual(await dist.locator('path.set-a').getAttribute('d'), await dist.locator('path.set-b').getAttribute('d'));
  });

  await t.test('no console errors, nothing off loopback', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(offLoopback(requests), []);
  });
});
