/**
 * Renders a screenshot of each console page (traces, a trace, a trace's diagnosis, two traces
 * compared span by span, service map with a selected edge, compare, diagnostics) in light and
 * dark themes, for the README. Not run in CI.
 *   node scripts/screenshots.ts [--url http://127.0.0.1:2000] [--out docs/screenshots]
 * Without --url it runs a demo: a real trace-console, archiver and fetcher on ephemeral
 * loopback ports, a local site to fetch (ok, 404, 429, 500, redirects) and one malformed
 * datagram, all stopped at the end.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({ options: { url: { type: 'string' }, out: { type: 'string', default: 'docs/screenshots' }, chromium: { type: 'string', default: '/usr/bin/chromium' } } });

/** Starts the demo stack; returns the console URL and a stop function. */
async function demo(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { startConsole } = await import('@tfa/test-helpers/console');
  const { startArchiver, startFetcher } = await import('@tfa/test-helpers/process');
  const { startSite } = await import('../services/fetcher/test/sites.ts');
  // The helpers clean up through a test context's `after`; this stands in for one.
  const cleanups: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;
  const dir = await mkdtemp(join(tmpdir(), 'console-demo-'));
  const stop = async () => {
    for (const fn of cleanups.reverse()) await fn();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const traceConsole = await startConsole(t, { db: join(dir, 'traces.db') });
    const env = { OTEL_TRACES_EXPORTER: 'xray', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${traceConsole.port}` };
    const site = await startSite(t);
    const archiver = await startArchiver(t, { db: join(dir, 'archive.db'), env });
    const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${site.port}`, env });
    const paths = ['/text', '/json', '/text', '/404', '/bin', '/500', '/redir/2', '/429', '/text', '/big?mib=1'];
    for (let i = 0; i < 80; i++) await fetch(`${fetcher.url}/fetch/${site.url}${paths[i % paths.length]}`).then((r) => r.arrayBuffer());
    await traceConsole.send(Buffer.from('{"format":"json","version":1}\n{"name": "half a document'));
    // A trace with something to diagnose: the archiver's clock runs 40 ms early and the
    // fetcher's second archiver call never got its downstream segment.
    const { fetchTrace, datagram } = await import('../packages/trace-console/test/fixtures.ts');
    const broken = fetchTrace({ host: 'broken.example' });
    const call = broken.fetcher.subsegments[1]!;
    const second = { ...call, id: 'b0b0b0b0b0b0b0b0', start_time: call.end_time + 0.01, end_time: call.end_time + 0.03 };
    await traceConsole.send(datagram({ ...broken.fetcher, subsegments: [...broken.fetcher.subsegments, second] }), datagram({ ...broken.archiver, start_time: call.start_time - 0.04, end_time: call.start_time + 0.1 }));
    // Sampling rules and a group, as a user would make them (the X-Ray API), and what an SDK
    // reports for them (GetSamplingTargets), so the Sampling page has counters to show.
    const xray = (path: string, body: unknown) => fetch(`${traceConsole.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const rule = { ResourceARN: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', ServiceName: '*', Version: 1 };
    await xray('/CreateSamplingRule', { SamplingRule: { ...rule, RuleName: 'health-checks', Priority: 10, FixedRate: 0, ReservoirSize: 0, HTTPMethod: 'GET', URLPath: '/health' } });
    await xray('/CreateSamplingRule', { SamplingRule: { ...rule, RuleName: 'fetches', Priority: 20, FixedRate: 0.1, ReservoirSize: 5, ServiceName: 'fetcher', URLPath: '/fetch/*' } });
    await xray('/CreateSamplingRule', { SamplingRule: { ...rule, RuleName: 'archive-writes', Priority: 30, FixedRate: 0.5, ReservoirSize: 2, ServiceName: 'archiver', HTTPMethod: 'POST' } });
    const now = Date.now() / 1000;
    await xray('/SamplingTargets', { SamplingStatisticsDocuments: [
      { RuleName: 'fetches', ClientID: 'a1b2c3d4e5f6a1b2c3d4e5f6', Timestamp: now, RequestCount: 120, SampledCount: 14, BorrowCount: 0 },
      { RuleName: 'archive-writes', ClientID: 'f6e5d4c3b2a1f6e5d4c3b2a1', Timestamp: now, RequestCount: 40, SampledCount: 21, BorrowCount: 1 },
      { RuleName: 'Default', ClientID: 'a1b2c3d4e5f6a1b2c3d4e5f6', Timestamp: now, RequestCount: 9, SampledCount: 1, BorrowCount: 0 },
    ] });
    await xray('/CreateGroup', { GroupName: 'failures', FilterExpression: 'fault OR error' });
    await new Promise((r) => setTimeout(r, 2000)); // the console settles traces once their segments stop arriving
    return { url: traceConsole.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const running = values.url ? undefined : await demo();
const base = (values.url ?? running!.url).replace(/\/$/, '');
await mkdir(values.out, { recursive: true });
const browser = await chromium.launch({ executablePath: values.chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: scheme })).newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e}`));
    const save = async (name: string) => {
      const file = join(values.out, `${name}-${scheme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
    };
    const shot = async (name: string, path: string, ready: string) => {
      await page.goto(base + path);
      await page.waitForSelector(ready, { timeout: 15_000 });
      await page.waitForTimeout(300); // let the live stream and layout settle
      await save(name);
    };
    await shot('traces', '/', '.trace-list .vl-row');
    // A trace whose upstream answered 500 shows the most colours.
    const id = await page.evaluate(async () => {
      const { traces } = await (await fetch('/api/traces?limit=200')).json();
      const pick = traces.find((t: { annotations: Record<string, unknown[]> }) => String(t.annotations?.remote_status) === '500') ?? traces[0];
      return pick?.id as string | undefined;
    });
    if (id) await shot('trace', `/trace/${id}`, '.wf-row');
    const broken = await page.evaluate(async () => {
      const { traces } = await (await fetch('/api/traces?limit=50&filter=' + encodeURIComponent('http.url CONTAINS "broken.example"'))).json();
      return traces[0]?.id as string | undefined;
    });
    if (broken) await shot('diagnosis', `/trace/${broken}`, '.finding');
    // The slowest /text fetch against the typical one of its URL.
    const slow = await page.evaluate(async () => {
      const { traces } = await (await fetch('/api/traces?limit=200&filter=' + encodeURIComponent('http.url CONTAINS "/text"'))).json();
      return [...traces].sort((a: { duration: number }, b: { duration: number }) => b.duration - a.duration)[0]?.id as string | undefined;
    });
    if (slow) await shot('diff', `/diff?a=${slow}&b=typical`, '.diff-table tbody tr');
    await shot('map', '/map', '.graph .node');
    await page.locator('.graph .edge .edge-label').first().click();
    await page.waitForSelector('.map-traces li', { timeout: 15_000 }).catch(() => undefined);
    await save('map-selected');
    await shot('compare', '/compare?a=annotation.remote_status%20%3C%20400&b=annotation.remote_status%20%3E%3D%20400', '.compare-result table');
    await shot('diagnostics', '/diagnostics', '.sender');
    await page.goto(`${base}/sampling`);
    await page.waitForSelector('.sampling-rules tbody tr', { timeout: 15_000 });
    await page.getByLabel('Service name').fill('archiver');
    await page.getByLabel('HTTP method').fill('POST');
    await page.getByLabel('URL path').fill('/archive');
    await page.getByRole('button', { name: 'Explain' }).click();
    await page.waitForSelector('[data-testid=explain-rule]', { timeout: 15_000 });
    await save('sampling');
  }
} finally {
  await browser.close();
  await running?.stop();
}
