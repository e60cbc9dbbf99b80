/**
 * npm run demo: a sample site on loopback and a varied stream of fetches
 * through the running system, so the console shows healthy, erroring,
 * faulting, slow and blocked traces. Starts the stack itself when it is not
 * running. `--once` runs one round and exits 0 only if every expected trace
 * reached the console.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatHostPort, helpText, parseConfig, parseDuration, runMain, settingFromEnv, type HostPort } from '@tfa/service-kit/config';
import { DEMO_SITE_PORT, demoPaths, startDemoSite } from './demo/site.ts';
import { fetcherSettings } from '@tfa/fetcher/config';
import { consoleSettings } from '@tfa/trace-console/config';

const settings = {
  once: { flag: 'once', boolean: true, parse: (r: string) => r === 'true', doc: 'one round, then check every trace reached the console' },
  interval: { flag: 'interval', default: '2s', parse: parseDuration, doc: 'pause between rounds' },
  help: { flag: 'help', short: 'h', boolean: true, parse: (r: string) => r === 'true', doc: 'show this help' },
};

const base = (a: HostPort) => `http://${formatHostPort(a)}`;

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

interface Outcome {
  label: string;
  expected: number;
  got: number;
  traceId: string | undefined;
}

/** One fetch through the fetcher; the trace id comes from the answer or the response header. */
async function fetchVia(fetcher: string, url: string, label: string, expected: number): Promise<Outcome> {
  const res = await fetch(`${fetcher}/fetch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
  const body = (await res.json()) as { status?: number; trace_id?: string };
  const header = /Root=([^;]+)/.exec(res.headers.get('x-amzn-trace-id') ?? '')?.[1];
  return { label, expected, got: res.status === 200 ? (body.status ?? 0) : res.status, traceId: body.trace_id ?? header };
}

await runMain(async () => {
  const { values: cfg } = parseConfig('npm run demo', settings);
  if (cfg.help) {
    process.stdout.write(`${helpText('npm run demo --', '[--once]', settings)}\n`);
    return;
  }
  const consoleUrl = base(settingFromEnv(consoleSettings.listen)!);
  const fetcherUrl = base(settingFromEnv(fetcherSettings.listen)!);
  const sitePort = Number(process.env.DEMO_SITE_PORT || DEMO_SITE_PORT);

  // 1. The sample site (npm start allows 127.0.0.1:8090 on the fetcher by default).
  const site = await startDemoSite(sitePort, `${consoleUrl}/health`).catch((err: NodeJS.ErrnoException) => {
    process.stderr.write(`npm run demo: cannot listen on 127.0.0.1:${sitePort} (${err.code}); free it or set DEMO_SITE_PORT\n`);
    process.exit(1);
  });
  process.stdout.write(`demo site on ${site.url}\n`);

  // 2. Use the running stack, or start one.
  let stack: ChildProcess | undefined;
  if (!((await healthy(consoleUrl)) && (await healthy(fetcherUrl)))) {
    process.stdout.write('the stack is not running: starting it (npm start)\n');
    stack = spawn(process.execPath, [fileURLToPath(new URL('./start.ts', import.meta.url))], {
      env: { ...process.env, FETCHER_ALLOW: [process.env.FETCHER_ALLOW, `127.0.0.1:${new URL(site.url).port}`].filter(Boolean).join(',') },
      stdio: ['ignore', cfg.once ? 'ignore' : 'inherit', 'inherit'],
    });
    const deadline = Date.now() + 90_000;
    while (!((await healthy(consoleUrl)) && (await healthy(fetcherUrl)))) {
      if (Date.now() > deadline || stack.exitCode !== null) {
        process.stderr.write('npm run demo: the stack did not come up; run `npm start` to see why\n');
        stack.kill('SIGTERM');
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const stop = async (code: number) => {
    site.server.close();
    site.server.closeAllConnections();
    if (stack && stack.exitCode === null) {
      stack.kill('SIGINT');
      await new Promise((r) => stack!.once('exit', r));
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  // 3. Rounds of fetches: every kind of trace the console can show.
  const round = async (): Promise<Outcome[]> => {
    const outcomes = await Promise.all(demoPaths.map((p) => fetchVia(fetcherUrl, `${site.url}${p.path}`, p.path, p.expect)));
    outcomes.push(await fetchVia(fetcherUrl, `${consoleUrl}/health`, 'blocked link', 403));
    outcomes.push(await fetchVia(fetcherUrl, 'ftp://example.invalid/', 'unsupported scheme', 400));
    return outcomes;
  };

  if (!cfg.once) {
    process.stdout.write(`fetching through ${fetcherUrl} every ${cfg.interval / 1000}s; watch ${consoleUrl}/ (Ctrl-C to stop)\n`);
    for (;;) {
      const outcomes = await round().catch((err) => (process.stderr.write(`round failed: ${(err as Error).message}\n`), []));
      process.stdout.write(`round: ${outcomes.map((o) => `${o.label}=${o.got}`).join(' ')}\n`);
      await new Promise((r) => setTimeout(r, cfg.interval));
    }
  }

  // 4. --once: every expected trace must be in the console.
  const outcomes = await round();
  let ok = true;
  for (const o of outcomes) {
    let found = false;
    const deadline = Date.now() + 15_000;
    while (o.traceId && !found && Date.now() < deadline) {
      const res = await fetch(`${consoleUrl}/api/traces/${o.traceId}`);
      await res.arrayBuffer();
      found = res.status === 200;
      if (!found) await new Promise((r) => setTimeout(r, 250));
    }
    const good = o.got === o.expected && found;
    ok &&= good;
    process.stdout.write(`${good ? 'ok  ' : 'FAIL'} ${o.label.padEnd(20)} status ${o.got} (expected ${o.expected})  trace ${o.traceId ?? '-'} ${found ? 'in the console' : 'NOT in the console'}\n`);
  }
  process.stdout.write(ok ? 'demo: every expected trace reached the console\n' : 'demo: some traces are missing (see /api/diagnostics on the console)\n');
  await stop(ok ? 0 : 1);
});
