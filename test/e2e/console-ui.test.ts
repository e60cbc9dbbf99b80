/**
 * The web console end to end, in headless Chromium: the real trace-console receives the
 * X-Ray datagrams of real fetcher and archiver processes (and one malformed datagram from
 * the test), and the user sees it all: the live list, filters, a trace's timeline with
 * X-Ray colours, span search, the service map and diagnostics. Throughout: no console
 * errors and no request that leaves loopback. Then more traces than one page of the list
 * API: the list and Compare page through them.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSite } from '../../services/fetcher/test/sites.ts';
import { startConsole } from '@tfa/test-helpers/console';
import { run, startArchiver, startFetcher } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';
import { browserMissing, launch, offLoopback, watchedPage } from '../../packages/trace-console/test/ui/browser.ts';
import { fetchTrace } from '../../packages/trace-console/test/ui/fixtures.ts';
import { datagram } from '../../packages/trace-console/test/fixtures.ts';

const skip = browserMissing();

test('the web console shows what the real services send', { skip, timeout: 240_000 }, async (t) => {
  const dir = tempDir(t);
  const traceConsole = await startConsole(t, { db: join(dir, 'traces.db') });
  const home = await fetch(`${traceConsole.url}/`);
  assert.match(home.headers.get('content-type') ?? '', /^text\/html/, 'trace-console serves the web console at / (registerUi from packages/trace-console/src/ui/serve.ts)');
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

  await t.test('a callee that sent no segment is its own inferred node beside the service of that name; no two labels overlap', async () => {
    // The fetcher's call to the archiver arrives, the archiver's segment never does.
    const [fetcher] = fetchTrace(Date.now() / 1000 - 1, 200);
    await traceConsole.send(datagram(fetcher!));
    await traceConsole.waitForTrace(fetcher!.trace_id as string);
    await page.goto(`${traceConsole.url}/map`);
    await page.locator('.graph .node[data-name="archiver (inferred)"]').waitFor();
    assert.equal(await page.locator('.graph .node[data-name=archiver]').count(), 1);
    const edges = await page.locator('.graph .edge').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`));
    for (const e of ['fetcher>archiver', 'fetcher>archiver (inferred)']) assert.equal(edges.filter((x) => x === e).length, 1, `${e} once in ${edges.join(', ')}`);
    const boxes = await page.locator('.graph .edge-label, .graph .node-label').evaluateAll((els) => els.map((e) => {
      const r = e.getBoundingClientRect();
      return { text: e.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }));
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) assert.ok(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top, `"${a.text}" overlaps "${b.text}"`);
    }
    await page.locator('.graph .edge[data-to="archiver (inferred)"] .edge-label').click();
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

test('the list and Compare page through more traces than the API hands out at once', { skip, timeout: 120_000 }, async (t) => {
  // 2 300 traces imported into a real trace-console; three at a time share one start time, so
  // the pages' boundaries (`until` = the oldest shown, inclusive) fall inside such groups.
  const dir = tempDir(t);
  const now = Date.now() / 1000;
  const ids: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 2300; i++) {
    const docs = fetchTrace(now - 60 - Math.floor(i / 3) * 0.5, i % 10 === 0 ? 500 : 200);
    ids.push(docs[0].trace_id);
    for (const d of docs) lines.push(JSON.stringify(d));
  }
  const file = join(dir, 'many.jsonl');
  writeFileSync(file, lines.join('\n'));
  const db = join(dir, 'traces.db');
  const imported = await run('trace-console', ['import', file, '--db', db]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /^imported 4600 of 4600 documents/);
  const traceConsole = await startConsole(t, { db });
  const browser = await launch(t);
  const { page, errors, requests } = await watchedPage(browser);
  const shown = page.getByTestId('shown-count');
  const more = page.getByRole('button', { name: 'Load more' });
  /** Every trace id in the virtual list, read by scrolling it through. */
  const listedIds = () =>
    page.evaluate(async () => {
      const list = document.querySelector('.trace-list') as HTMLElement;
      const seen: string[] = [];
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      for (let top = 0; ; top += list.clientHeight) {
        list.scrollTop = top;
        await frame();
        for (const r of list.querySelectorAll<HTMLElement>('.vl-row:not([hidden])')) seen.push(r.dataset.id!);
        if (top + list.clientHeight >= list.scrollHeight) return seen;
      }
    });
  const rowCount = () => page.locator('.trace-list').getAttribute('aria-rowcount');

  await t.test('the first page is the newest 1 000, with "Load more" after them', async () => {
    await page.goto(`${traceConsole.url}/?range=all`);
    await page.waitForFunction(() => document.querySelector('[data-testid=shown-count]')?.textContent === '1\u202f000 traces shown');
    assert.equal(await rowCount(), '1000');
    assert.equal(await page.getByTestId('trace-count').textContent(), '1.0k traces');
    const listed = new Set(await listedIds());
    assert.equal(listed.size, 1000);
    const newest = new Set(ids.slice(0, 999)); // the 1 000th shares its start time with two others: either may come first
    assert.ok([...newest].every((id) => listed.has(id)), 'the newest traces');
    assert.ok(await more.isVisible(), 'at the end of the list');
  });

  await t.test('"Load more" appends older traces, keeps the scroll position and shows errors in the list', async () => {
    const list = page.locator('.trace-list');
    await more.scrollIntoViewIfNeeded();
    const top = await list.evaluate((e) => e.scrollTop);
    assert.ok(top > 0);
    const pages: string[] = [];
    page.on('request', (r) => r.url().includes('/api/traces?') && pages.push(r.url()));
    await more.click();
    await page.waitForFunction(() => document.querySelector('[data-testid=shown-count]')?.textContent === '1\u202f999 traces shown');
    assert.equal(await list.evaluate((e) => e.scrollTop), top, 'the view did not jump');
    assert.equal(await rowCount(), '1999');
    // The next page starts at the oldest trace shown (inclusive), and the filter and range stay.
    const q = new URL(pages[0]).searchParams;
    assert.equal(q.get('limit'), '1000');
    assert.ok(Number(q.get('until')) > now - 60 - 334 * 0.5 && Number(q.get('until')) < now - 60 - 332 * 0.5, pages[0]);
    assert.equal(q.has('since'), false, 'range=all');
    assert.ok(await more.isVisible(), 'a full page: older ones may exist');

    // The API fails once: the list says so where the control is, and the control stays for a retry.
    await page.route('**/api/traces?*', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ code: 'unavailable', status: 503, detail: 'store busy' }) }), { times: 1 });
    await more.click();
    await page.locator('.list-footer .more-error', { hasText: 'Could not load older traces: store busy' }).waitFor();
    assert.equal(await rowCount(), '1999', 'nothing appended');
    await more.click();
    await page.waitForFunction(() => document.querySelector('[data-testid=shown-count]')?.textContent === '2\u202f300 traces shown, no older ones match');
    assert.equal(await more.isVisible(), false, 'no "Load more" after the last page');
    assert.equal(await page.locator('.list-footer .more-error').isVisible(), false, 'the error is gone');
    const listed = await listedIds();
    const unique = new Set(listed);
    assert.equal(await rowCount(), '2300');
    assert.equal(unique.size, 2300);
    assert.deepEqual([...unique].sort(), [...ids].sort(), 'every stored trace once');
    assert.ok((await page.locator('.trace-list .vl-row').count()) < 200, 'still virtualised: only rows in view exist');
  });

  await t.test('a filter change resets the list to its newest page', async () => {
    const input = page.locator('.filter-input');
    await input.fill('annotation.remote_status = 500');
    await input.press('Enter');
    await page.waitForFunction(() => document.querySelector('.trace-list')?.getAttribute('aria-rowcount') === '230');
    assert.equal(await page.locator('.list-footer').isVisible(), false, 'a short page: nothing to page');
  });

  await t.test('with a filter, a live trace joins the list and the older pages loaded stay', async () => {
    const input = page.locator('.filter-input');
    await input.fill('annotation.remote_status = 200');
    await input.press('Enter');
    await page.waitForFunction(() => document.querySelector('.trace-list')?.getAttribute('aria-rowcount') === '1000');
    await more.click();
    await page.waitForFunction(() => Number(document.querySelector('.trace-list')?.getAttribute('aria-rowcount')) > 1900);
    const before = Number(await rowCount());
    const [fetcher, archiver] = fetchTrace(Date.now() / 1000, 200);
    await traceConsole.send(datagram(fetcher), datagram(archiver));
    await page.waitForFunction((n) => Number(document.querySelector('.trace-list')?.getAttribute('aria-rowcount')) === n, before + 1, { timeout: 10_000 });
    await page.locator('.trace-list').evaluate((e) => (e.scrollTop = 0));
    await page.locator(`.trace-row[data-id="${fetcher.trace_id}"]`).waitFor();
    assert.ok(await more.isVisible(), 'still more to load');
  });

  await t.test('Compare reads each set page by page', async () => {
    await page.goto(`${traceConsole.url}/compare?range=all&b=${encodeURIComponent('annotation.remote_status = 500')}`);
    const counts = page.locator('.compare-result tbody tr').first().locator('td');
    await counts.first().waitFor();
    assert.deepEqual(await counts.allTextContents(), ['2\u202f301', '230'], 'every trace (the live one too), and the 500s');
    assert.match(await page.locator('.compare-note').textContent() ?? '', /newest 10\u202f000 matching traces at most\.$/);
  });

  // The browser itself logs the one 503 the test injected; anything else is the console's.
  assert.deepEqual(errors.filter((e) => !/status of 503/.test(e)), [], 'no console errors');
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.deepEqual(offLoopback(requests), [], 'no request left loopback');
});
