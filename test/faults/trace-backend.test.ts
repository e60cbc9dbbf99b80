/**
 * Faults of the trace backend, with fetcher and archiver taking load: trace-console killed and
 * restarted (requests keep succeeding, traces resume after the restart), and the daemon
 * address answering ICMP port-unreachable (a closed UDP port: requests see no error).
 * The cost of a dead daemon is measured as a ratio in bench/daemon-down.ts, not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startArchiver, startFetcher, type Running } from '@tfa/test-helpers/process';
import { startConsole } from '@tfa/test-helpers/console';
import { freeUdpPort } from '@tfa/test-helpers/ports';
import { tempDir } from '@tfa/test-helpers/tmp';
import { percentile, report, until } from '@tfa/test-helpers/faults';

async function site(t: TestContext): Promise<{ url: string; port: number }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('page'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port };
}

/** Archiver and fetcher tracing (xray, 100 %) to `daemon`. */
async function services(t: TestContext, daemon: string, upstreamPort: number) {
  const env = { OTEL_TRACES_EXPORTER: 'xray', OTEL_TRACES_SAMPLER: 'always_on', AWS_XRAY_DAEMON_ADDRESS: daemon };
  const archiver = await startArchiver(t, { db: join(tempDir(t), 'a.db'), env });
  const fetcher = await startFetcher(t, { archiver: archiver.url, allow: `127.0.0.1:${upstreamPort}`, env });
  return { archiver, fetcher };
}

/** Load from `clients` loops until stopped: every answer's status, latency and trace id, by phase. */
function load(url: string, clients: number) {
  const results: { phase: string; status: number; ms: number; traceId: string }[] = [];
  let phase = 'before';
  let stopped = false;
  const loops = Array.from({ length: clients }, async () => {
    while (!stopped) {
      const t0 = performance.now();
      const res = await fetch(url);
      const json = (await res.json()) as { trace_id?: string };
      results.push({ phase, status: res.status, ms: performance.now() - t0, traceId: json.trace_id ?? '' });
    }
  });
  return {
    results,
    setPhase: (p: string) => void (phase = p),
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

const phaseFigures = (results: { phase: string; ms: number }[], phase: string) => {
  const ms = results.filter((r) => r.phase === phase).map((r) => r.ms);
  return `${ms.length} requests, p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`;
};

const noErrorLogs = (p: Running) => p.lines.filter((l) => /"level":(50|60)/.test(l));

test('trace-console killed and restarted under load: requests keep succeeding, traces resume', async (t) => {
  const dir = tempDir(t);
  const db = join(dir, 'traces.db');
  let consoleProc = await startConsole(t, { db });
  const port = consoleProc.port;
  const upstream = await site(t);
  const { archiver, fetcher } = await services(t, `127.0.0.1:${port}`, upstream.port);

  const l = load(`${fetcher.url}/fetch/${upstream.url}/page`, 2);
  await until('a trace in the console before the fault', async () => l.results.length > 0 && (await consoleProc.get(`/api/traces/${l.results[0]!.traceId}`)).status === 200);
  await new Promise((r) => setTimeout(r, 1000));

  l.setPhase('down');
  consoleProc.child.kill('SIGKILL');
  await consoleProc.exited;
  await new Promise((r) => setTimeout(r, 1500));

  l.setPhase('after');
  const restartAt = performance.now();
  consoleProc = await startConsole(t, { db, args: ['--listen', `127.0.0.1:${port}`] });
  const upMs = Math.round(performance.now() - restartAt);
  // Traces resume: a request made after the restart shows up as a whole trace (fetcher and archiver).
  const firstAfter = l.results.length;
  const resumeMs = await until('a trace of a request after the restart', async () => {
    const later = l.results.slice(firstAfter).filter((r) => r.phase === 'after');
    for (const r of later.slice(-3)) {
      const tr = await consoleProc.get(`/api/traces/${r.traceId}`);
      if (tr.status === 200 && new Set(tr.json.segments.map((s: { name: string }) => s.name)).size >= 2) return true;
    }
    return false;
  });
  await new Promise((r) => setTimeout(r, 500));
  await l.stop();

  const failed = l.results.filter((r) => r.status !== 200);
  assert.deepEqual(failed, [], 'every request succeeded while the console was down and after');
  assert.ok(l.results.some((r) => r.phase === 'down'), 'requests were made while the console was down');
  assert.deepEqual([...noErrorLogs(archiver), ...noErrorLogs(fetcher)], []);
  for (const p of [archiver, fetcher]) assert.equal(p.child.exitCode, null);
  report(t, 'trace-console killed and restarted', {
    before: phaseFigures(l.results, 'before'),
    while_down: `${phaseFigures(l.results, 'down')}, all 200`,
    after: phaseFigures(l.results, 'after'),
    console_restart_ms: upMs,
    traces_resume_after_restart_ms: upMs + resumeMs,
  });
});

test('daemon address answering ICMP port-unreachable: requests see no error', async (t) => {
  const closed = await freeUdpPort();
  const upstream = await site(t);
  const { archiver, fetcher } = await services(t, `127.0.0.1:${closed}`, upstream.port);
  const l = load(`${fetcher.url}/fetch/${upstream.url}/page`, 2);
  await new Promise((r) => setTimeout(r, 2000));
  await l.stop();
  assert.ok(l.results.length > 10);
  assert.deepEqual(l.results.filter((r) => r.status !== 200), [], 'no request failed');
  assert.deepEqual([...noErrorLogs(archiver), ...noErrorLogs(fetcher)], []);
  for (const p of [archiver, fetcher]) assert.equal(p.child.exitCode, null);
  report(t, 'daemon port closed (ICMP port-unreachable)', { requests: `${phaseFigures(l.results, 'before')}, all 200`, cost: 'see bench/daemon-down.ts' });
});
