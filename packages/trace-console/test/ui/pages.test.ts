/**
 * The console's pages in headless Chromium against canned API data (fixture-server.ts):
 * what a user sees and does on each page. Also measures rendering of 10 000 traces and of
 * a 1 000-span trace (reported, never asserted as timings).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserMissing, launch, offLoopback, watchedPage } from './browser.ts';
import { startFixture } from './fixture-server.ts';
import { fetchTrace } from './fixtures.ts';

const skip = browserMissing();

test('console pages against canned data', { skip, timeout: 120_000 }, async (t) => {
  const fixture = await startFixture(t, { count: 300 });
  const browser = await launch(t);
  const { page, errors, requests } = await watchedPage(browser);
  const rows = page.locator('.trace-list .vl-row:not([hidden])');

  await t.test('the list shows traces and a new one live', async () => {
    await page.goto(fixture.url);
    await page.locator('.live.on').waitFor();
    await rows.first().waitFor();
    const id = fixture.add(fetchTrace(Date.now() / 1000, 404, '/live-one'));
    await page.locator(`.trace-row[data-id="${id}"]`).waitFor({ timeout: 5000 });
    assert.equal(await rows.first().getAttribute('data-id'), id, 'newest first');
    assert.match(await page.getByTestId('trace-count').textContent() ?? '', /^30\d traces$/);
    // Every response time is whole, the longest form too ("12.5 min"), the hidden "vs typical"
    // link beside it taking no room; shown on hover, it leaves the number whole too.
    const slow = fixture.add(fetchTrace(Date.now() / 1000, 200, '/slow', 15_000));
    await page.locator(`.trace-row[data-id="${slow}"]`).waitFor({ timeout: 5000 });
    const cut = () => rows.locator('.col-duration').evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth || !/\d (µs|ms|s|min)$/.test(e.textContent ?? '')).map((e) => e.textContent));
    assert.deepEqual(await cut(), []);
    await rows.first().hover();
    assert.ok(await rows.first().locator('.typical').isVisible());
    const [linkRight, textLeft] = await rows.first().locator('.col-duration').evaluate((e) => {
      const range = document.createRange();
      range.selectNodeContents(e.lastChild!);
      return [e.querySelector('.typical')!.getBoundingClientRect().right, range.getBoundingClientRect().left];
    });
    assert.ok(linkRight <= textLeft, `the link (to ${linkRight}) clear of the number (from ${textLeft})`);
    assert.deepEqual(await cut(), []);
  });

  await t.test('a filter narrows the list and lands in the URL', async () => {
    const input = page.locator('.filter-input').first();
    await input.fill('annotation.remote_status = 500');
    await input.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=trace-count]')?.textContent === '30 traces');
    const annotations = await rows.locator('.col-annotations').allTextContents();
    assert.ok(annotations.length > 0 && annotations.every((a) => a.includes('remote_status=500')), annotations.join('\n'));
    assert.match(new URL(page.url()).searchParams.get('filter') ?? '', /remote_status = 500/);
    // The URL reproduces the view.
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid=trace-count]')?.textContent === '30 traces');
    assert.equal(await input.inputValue(), 'annotation.remote_status = 500');
  });

  await t.test('a syntax error is shown at its position', async () => {
    const input = page.locator('.filter-input').first();
    await input.fill('http.status >= ');
    const mark = page.locator('.filter-error .error-at');
    await mark.waitFor();
    assert.equal(await mark.getAttribute('data-position'), '15');
    assert.match(await page.locator('.filter-error').textContent() ?? '', /position 15.*number/);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    await input.fill('http.status >= 400 AND (');
    assert.equal(await mark.getAttribute('data-position'), '24');
  });

  await t.test('completion offers keywords and service names', async () => {
    const input = page.locator('.filter-input').first();
    await input.fill('');
    await input.pressSequentially('serv');
    await page.locator('.completions li', { hasText: 'service' }).first().waitFor();
    await input.fill('');
    await input.pressSequentially('service("arch');
    const item = page.locator('.completions li .label', { hasText: 'archiver' });
    await item.waitFor();
    await input.press('Tab');
    assert.match(await input.inputValue(), /^service\("archiver"\)?$/);
    await input.fill('');
    await input.press('Enter');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('filter'));
  });

  await t.test('dragging across the histogram adds a responsetime clause', async () => {
    const box = (await page.locator('.histogram-wrap svg.histogram').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + 20, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => /responsetime >= [\d.]+ AND responsetime <= [\d.]+/.test((document.querySelector('.filter-input') as HTMLInputElement).value));
    assert.match(new URL(page.url()).searchParams.get('filter') ?? '', /responsetime >=/);
  });

  await t.test('a time range preset narrows the list and lands in the URL', async () => {
    await page.goto(fixture.url);
    await rows.first().waitFor();
    const all = Number((await page.getByTestId('trace-count').textContent())!.split(' ')[0]);
    await page.locator('[data-range="15m"]').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=trace-count]')!.textContent!.split(' ')[0]) < n, all);
    assert.equal(new URL(page.url()).searchParams.get('range'), '15m');
    assert.equal(await page.locator('[data-range="15m"]').getAttribute('aria-pressed'), 'true');
  });

  await t.test('sorting by response time, keyboard opens a trace', async () => {
    await page.goto(fixture.url);
    await rows.first().waitFor();
    await page.locator('[data-sort=duration]').click();
    await page.locator('[data-sort=duration][aria-sort=descending]').waitFor();
    const durations = await page.locator('.trace-list .vl-row:not([hidden]) .col-duration').allTextContents();
    assert.ok(durations.length > 5);
    await page.keyboard.press('/');
    await page.keyboard.press('Escape');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/trace\/1-/);
  });

  await t.test('a trace shows its segments with X-Ray colours; search filters spans', async () => {
    const docs404 = fetchTrace(Date.now() / 1000 - 1, 404);
    const docs500 = fetchTrace(Date.now() / 1000 - 1, 500);
    for (const [docs, expected] of [[docs404, 'error'], [docs500, 'fault']] as const) {
      const id = fixture.add(docs);
      await page.goto(`${fixture.url}/trace/${id}`);
      await page.locator('.wf-row').first().waitFor();
      const names = await page.locator('.wf-row').evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.name}:${(e as HTMLElement).dataset.health}`));
      assert.deepEqual(names.sort(), ['127.0.0.1:' + expected, 'archiver:ok', 'archiver:ok', 'fetcher:ok', 'store:ok'].sort());
      const bar = page.locator('.wf-row[data-name="127.0.0.1"] .bar');
      const colour = await bar.evaluate((e) => getComputedStyle(e).backgroundColor);
      assert.equal(colour, expected === 'error' ? 'rgb(232, 160, 0)' : 'rgb(214, 39, 40)');
    }
    await page.locator('.search').fill('store');
    await page.waitForFunction(() => document.querySelectorAll('.wf-row.match').length === 1);
    assert.equal(await page.getByTestId('search-count').textContent(), '1 / 1');
    // The match keeps its ancestors for context; unrelated spans are gone.
    assert.deepEqual(await page.locator('.wf-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name)), ['archiver', 'store']);
    await page.locator('.search').fill('127');
    await page.locator('.search').press('Enter');
    await page.locator('.wf-row.current[data-name="127.0.0.1"]').waitFor();
    // The detail panel shows the exception with its cause.
    await page.locator('.wf-row[data-name="127.0.0.1"]').click();
    await page.locator('.tabs [data-tab=exceptions]').click();
    assert.match(await page.locator('.detail .exception').textContent() ?? '', /UpstreamError: upstream answered 500/);
    assert.match(page.url(), /span=/);
    // Collapse and expand, by service and by all.
    await page.locator('.search').fill('');
    await page.locator('.wf-group[data-group=archiver] .toggle').click();
    assert.deepEqual(await page.locator('.wf-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name)), ['fetcher', '127.0.0.1', 'archiver']);
    await page.locator('.wf-group[data-group=archiver] .toggle').click();
    await page.getByRole('button', { name: 'Collapse all' }).click();
    assert.equal(await page.locator('.wf-row').count(), 5, 'only nested subsegments fold; here there are none below depth 1');
    // Keyboard: ↓ moves the selection and the detail panel follows.
    await page.locator('.wf-row[data-name=fetcher]').click();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('.detail-title').textContent(), '127.0.0.1');
    // UTC/local toggle, remembered across pages.
    assert.match(await page.locator('.trace-head').textContent() ?? '', /\d\d:\d\d:\d\d\.\d{3}Z/);
    await page.getByTestId('tz').click();
    await page.getByTestId('tz').filter({ hasText: 'Local' }).waitFor();
    assert.doesNotMatch(await page.locator('.trace-head').textContent() ?? '', /\d{3}Z/);
    await page.getByTestId('tz').click();
    // Download and raw documents point at the API.
    assert.match(await page.getByRole('link', { name: 'Download JSON' }).getAttribute('href') ?? '', /^\/api\/traces\/1-/);
    // The trace's own map: client → fetcher → archiver, fetcher → 127.0.0.1.
    const edges = await page.locator('.mini-map .edge').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`).sort());
    assert.deepEqual(edges, ['client>fetcher', 'fetcher>127.0.0.1', 'fetcher>archiver']);
    // A second archiver call whose segment never arrived: an inferred node beside the archiver.
    const retried = fetchTrace(Date.now() / 1000 - 1, 200);
    const call = retried[0]!.subsegments[1];
    retried[0]!.subsegments.push({ ...call, id: 'b0b0b0b0b0b0b0b0', start_time: call.end_time, end_time: call.end_time + 0.001 });
    await page.goto(`${fixture.url}/trace/${fixture.add(retried)}`);
    await page.locator('.mini-map .node[data-name="archiver (inferred)"]').waitFor();
    const retriedEdges = await page.locator('.mini-map .edge').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`).sort());
    assert.deepEqual(retriedEdges, ['client>fetcher', 'fetcher>127.0.0.1', 'fetcher>archiver', 'fetcher>archiver (inferred)']);
  });

  await t.test('a bar\'s duration is readable: past its end, inside a wide bar near the edge, before a short one', async () => {
    const docs = fetchTrace(Date.now() / 1000 - 1, 200);
    const fetcher = docs[0]!;
    // A short last call, ending at the trace's end (as a retry would).
    fetcher.subsegments.push({ name: 'late', id: 'b0b0b0b0b0b0b0b0', namespace: 'remote', start_time: fetcher.end_time - 0.002, end_time: fetcher.end_time });
    await page.goto(`${fixture.url}/trace/${fixture.add(docs)}`);
    await page.locator('.wf-row[data-name=late]').waitFor();
    const placed = await page.locator('.wf-row').evaluateAll((els) => els.map((row) => {
      const bar = row.querySelector('.bar')!.getBoundingClientRect();
      const label = row.querySelector('.bar-label')!;
      const r = label.getBoundingClientRect();
      const where = r.left >= bar.right - 1 ? 'after' : r.right <= bar.left + 1 ? 'before' : r.left >= bar.left - 1 && r.right <= bar.right + 1 ? 'inside' : 'across';
      return `${(row as HTMLElement).dataset.name}:${where}`;
    }));
    assert.ok(!placed.some((p) => p.endsWith(':across')), placed.join(' '));
    assert.ok(placed.includes('late:before'), placed.join(' '));
    assert.ok(placed.includes('fetcher:inside'), placed.join(' '));
    assert.ok(placed.includes('127.0.0.1:after'), placed.join(' '));
  });

  await t.test('the service map shows nodes and edges; a click lists the edge traces', async () => {
    await page.goto(`${fixture.url}/map`);
    await page.locator('.graph .node').first().waitFor();
    const edges = await page.locator('.graph .edge').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`).sort());
    assert.deepEqual(edges, ['client>fetcher', 'fetcher>127.0.0.1', 'fetcher>archiver']);
    assert.equal(await page.locator('.graph .node[data-name="127.0.0.1"] .arc').count(), 4, 'ok, 4xx, 429 and 5xx arcs');
    await page.locator('.graph .edge[data-from=fetcher][data-to=archiver] .edge-label').click();
    const input = page.locator('.map-panel .filter-input');
    await page.waitForFunction(() => (document.querySelector('.map-panel .filter-input') as HTMLInputElement | null)?.value === 'edge("fetcher", "archiver")');
    await page.locator('.map-traces li').first().waitFor();
    assert.ok((await page.locator('.map-traces li').count()) > 10);
    await input.fill('edge("fetcher", "archiver") AND annotation.remote_status = 404');
    await input.press('Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('.map-traces li')].length > 0 && [...document.querySelectorAll('.map-traces li')].length < 50);
    // A short list leaves the panel's spare room below it, not inside the filter box.
    await input.fill('edge("fetcher", "archiver") AND annotation.remote_url CONTAINS "/live-one"');
    await input.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.map-traces li').length === 1);
    const gap = await page.locator('.map-panel').evaluate((p) => p.querySelector('.histogram-box')!.getBoundingClientRect().top - p.querySelector('.filter-input')!.getBoundingClientRect().bottom);
    assert.ok(gap >= 0 && gap <= 16, `the histogram ${gap} px below the filter input`);
  });

  await t.test('compare and diagnostics', async () => {
    await page.goto(`${fixture.url}/compare?a=ok&b=annotation.remote_status%20%3E%3D%20500`);
    await page.locator('.compare-result table').first().waitFor();
    assert.match(await page.locator('.compare-result').textContent() ?? '', /p99/);
    await page.goto(`${fixture.url}/diagnostics`);
    await page.locator('.problem[data-kind=malformed]').waitFor();
    assert.match(await page.locator('.problem[data-kind=malformed] .fix').textContent() ?? '', /Fix:/);
  });

  assert.deepEqual(errors, [], 'no console errors');
  assert.deepEqual(offLoopback(requests), [], 'no request left loopback');
});

test('rendering 10 000 traces and a 1 000-span trace', { skip, timeout: 120_000 }, async (t) => {
  const fixture = await startFixture(t, { count: 10_000, bigSpans: 1000 });
  const browser = await launch(t);
  const { page, errors } = await watchedPage(browser);
  // The fixture hands out any number of rows; the real API caps a page at 1 000.
  await page.route('**/api/traces?*', (route) => route.continue({ url: route.request().url().replace(/limit=\d+/, 'limit=20000').replace(/since=[\d.]+/, 'since=0') }));
  await page.goto(fixture.url);
  await page.waitForFunction(() => document.querySelector('[data-testid=trace-count]')?.textContent === '10k traces');
  const listMs = Number(await page.locator('.page').getAttribute('data-render-ms'));
  const fetchMs = Number(await page.locator('.page').getAttribute('data-fetch-ms'));
  // Scrolling through the list a screen per frame: frame intervals show whether it keeps up (16.7 ms at 60 Hz).
  const frames = await page.evaluate(async () => {
    const list = document.querySelector('.trace-list') as HTMLElement;
    const stamps: number[] = [];
    for (let i = 0; i < 120; i++) {
      stamps.push(await new Promise<number>((r) => requestAnimationFrame(r)));
      list.scrollTop += list.clientHeight;
    }
    const gaps = stamps.slice(1).map((s, i) => s - stamps[i]).sort((a, b) => a - b);
    return { median: gaps[Math.floor(gaps.length / 2)], worst: gaps[gaps.length - 1] };
  });
  assert.ok((await page.locator('.trace-list .vl-row').count()) < 200, 'virtualised: only visible rows exist');
  const big = await page.evaluate(async () => (await (await fetch('/api/traces?limit=1')).json()).traces[0].id as string);
  await page.goto(`${fixture.url}/trace/${big}`);
  await page.locator('.wf-row').first().waitFor();
  const traceMs = Number(await page.locator('.page').getAttribute('data-render-ms'));
  assert.equal(await page.locator('.wf-row').count(), 1000);
  t.diagnostic(`10 000 traces: render ${listMs} ms (after ${fetchMs} ms fetch + parse); scrolling a screen per frame: median frame ${frames.median.toFixed(1)} ms, worst ${frames.worst.toFixed(1)} ms; 1 000-span trace: render ${traceMs} ms`);
  assert.deepEqual(errors, []);
});
