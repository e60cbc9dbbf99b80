/**
 * The web console end to end, in headless Chromium: the real trace-console receives the
 * X-Ray datagrams of real fetcher and archiver processes (and one malformed datagram from
 * the test), and the user sees it all: the live list, filters, a trace's timeline with
 * X-Ray colours, span search, the service map and diagnostics. Throughout: no console
 * errors and no request that leaves loopback.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSite } from '../fetcher/sites.ts';
import { startConsole } from '../helpers/console.ts';
import { startArchiver, startFetcher } from '../helpers/process.ts';
import { tempDir } from '../helpers/tmp.ts';
import { browserMissing, launch, offLoopback, watchedPage } from '../console/ui/browser.ts';

const skip = browserMissing();

test('the web console shows what the real services send', { skip, timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const traceConsole = await startConsole(t, { db: join(dir, 'traces.db') });
  const home = await fetch(`${traceConsole.url}/`);
  assert.match(home.headers.get('content-type') ?? '', /^text\/html/, 'trace-console serves the web console at / (registerUi from src/console/ui/serve.ts)');
  const env = { OTEL_TRACES_EXPORTER: 'xray', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${traceConsole.port}` };
  const site = await startSite(t);
  const archiver = await startArchiver(t, { db: join(dir, 'archive.db'), env });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port}`, env });
  const browser = await launch(t);
  const { page, errors, requests } = await watchedPage(browser);
  const rows = page.locator('.trace-list .vl-row:not([hidden])');

  /** Fetches a page of the site through the fetcher; resolves with the trace id once the console has the whole trace. */
  const fetchVia = async (path: string): Promise<string> => {
    const res = await fetch(`${fetcher.url}/fetch/${site.url}${path}`);
    assert.equal(res.status, 200, await res.clone().text());
    const { trace_id } = (await res.json()) as { trace_id: string };
    await traceConsole.waitForTrace(trace_id, (tr) => tr.segments.some((d: any) => d.name === 'archiver' && !d.type) && tr.segments.some((d: any) => d.name === 'fetcher'), 20_000);
    return trace_id;
  };

  let okId = '';
  await t.test('the list shows a new trace live', async () => {
    await page.goto(traceConsole.url);
    await page.locator('.live.on').waitFor({ timeout: 15_000 });
    okId = await fetchVia('/text');
    await page.locator(`.trace-row[data-id="${okId}"]`).waitFor({ timeout: 15_000 });
  });

  let notFoundId = '';
  let failedId = '';
  await t.test('a filter narrows the list; a syntax error is shown at its position', async () => {
    notFoundId = await fetchVia('/404');
    failedId = await fetchVia('/500');
    await page.locator(`.trace-row[data-id="${failedId}"]`).waitFor({ timeout: 15_000 });
    const input = page.locator('.filter-input');
    await input.fill('annotation.remote_status = 404');
    await input.press('Enter');
    await page.waitForFunction((id) => {
      const shown = [...document.querySelectorAll<HTMLElement>('.trace-list .vl-row:not([hidden])')].map((r) => r.dataset.id);
      return shown.length === 1 && shown[0] === id;
    }, notFoundId);
    assert.match(new URL(page.url()).searchParams.get('filter') ?? '', /remote_status = 404/);
    await input.fill('http.status >= 400 AND');
    await input.press('Enter');
    const mark = page.locator('.filter-error .error-at');
    await mark.waitFor();
    assert.equal(await mark.getAttribute('data-position'), '22');
    assert.equal(await rows.count(), 1, 'a bad expression leaves the list as it was');
    await input.fill('');
    await input.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.trace-list .vl-row:not([hidden])').length === 3);
  });

  await t.test('a trace shows every segment of fetcher, upstream, archiver and store in X-Ray colours', async () => {
    for (const [id, upstream] of [[notFoundId, 'error'], [failedId, 'fault']] as const) {
      await page.goto(`${traceConsole.url}/trace/${id}`);
      await page.locator('.wf-row').first().waitFor();
      const trace = (await traceConsole.get(`/api/traces/${id}`)).json;
      const storeName = trace.segments.find((d: any) => d.sql)?.name ?? (trace.segments.flatMap((d: any) => d.subsegments ?? []).find((d: any) => d.sql)?.name as string);
      assert.ok(storeName, 'the archiver sent its store subsegment');
      const health = async (name: string) => page.locator(`.wf-row[data-name="${name}"]`).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.health));
      assert.deepEqual(await health('fetcher'), ['ok']);
      assert.deepEqual(await health('127.0.0.1'), [upstream], 'the upstream call');
      assert.ok((await health('archiver')).length >= 2, 'the call to the archiver and its own segment');
      assert.ok((await health('archiver')).every((h) => h === 'ok'));
      assert.deepEqual(await health(storeName), ['ok']);
      const colour = await page.locator('.wf-row[data-name="127.0.0.1"] .bar').evaluate((e) => getComputedStyle(e).backgroundColor);
      assert.equal(colour, upstream === 'error' ? 'rgb(232, 160, 0)' : 'rgb(214, 39, 40)');
      assert.ok((await page.locator('.wf-row[data-critical=true]').count()) >= 2, 'the critical path is marked');
    }
  });

  await t.test('the span search filters the timeline', async () => {
    const before = await page.locator('.wf-row').count();
    // The upstream URL's path: on the fetcher's segment and its upstream call, nowhere in the archiver.
    await page.locator('.search').fill('/500');
    await page.waitForFunction(() => document.querySelectorAll('.wf-row.match').length >= 1);
    const after = await page.locator('.wf-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name));
    assert.ok(after.length < before, `${after.length} of ${before} rows left`);
    assert.ok(after.includes('127.0.0.1') && !after.includes('archiver'), after.join(', '));
    assert.match(await page.getByTestId('search-count').textContent() ?? '', /^1 \/ \d$/);
  });

  await t.test('the service map shows client → fetcher → archiver and fetcher → upstream; a click lists the edge traces', async () => {
    await page.goto(`${traceConsole.url}/map`);
    await page.locator('.graph .edge').first().waitFor();
    const edges = await page.locator('.graph .edge').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`));
    for (const e of ['client>fetcher', 'fetcher>archiver', 'fetcher>127.0.0.1']) assert.ok(edges.includes(e), `${e} in ${edges.join(', ')}`);
    await page.locator('.graph .edge[data-from=fetcher][data-to=archiver] .edge-label').click();
    await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`.map-traces a[href="/trace/${id}"]`)), [okId, notFoundId, failedId]);
    assert.equal(await page.locator('.map-panel .filter-input').inputValue(), 'edge("fetcher", "archiver")');
  });

  await t.test('diagnostics shows a malformed datagram', async () => {
    const sender = await traceConsole.send(Buffer.from('{"format":"json","version":1}\n{"name": "half a document'));
    await page.goto(`${traceConsole.url}/diagnostics`);
    await page.locator(`.sender[data-sender="${sender}"] .problem[data-kind=malformed]`).waitFor({ timeout: 10_000 }).catch(async () => {
      await page.reload(); // the datagram may have been counted just after the page loaded
      await page.locator(`.sender[data-sender="${sender}"] .problem[data-kind=malformed]`).waitFor();
    });
    assert.match(await page.locator(`.sender[data-sender="${sender}"] .problem[data-kind=malformed] .fix`).textContent() ?? '', /Fix: send one JSON segment document/);
  });

  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(offLoopback(requests), [], 'no request left loopback');
});
