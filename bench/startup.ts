/**
 * Question: start-up. `npm start` (node src/cli/start.ts: trace-console, then the archiver,
 * then the fetcher, each health-gated) on free loopback ports and fresh databases, timed
 * from spawn to "All three are up" on its stdout; then Ctrl-C (SIGINT) and the time to a
 * clean exit. Reported in seconds.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bench, fmt, spread, type Row } from './lib/bench.ts';
import { root, scratchDir } from './lib/proc.ts';

/** A port free for TCP (and UDP when asked) on 127.0.0.1. */
async function freePort(udp = false): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const ok = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

async function once(dir: string, i: number): Promise<{ up: number; stop: number }> {
  const [consolePort, archiverPort, fetcherPort] = [await freePort(true), await freePort(), await freePort()];
  const env = {
    ...process.env,
    NO_COLOR: '1',
    TRACE_CONSOLE_LISTEN: `127.0.0.1:${consolePort}`,
    ARCHIVER_LISTEN: `127.0.0.1:${archiverPort}`,
    FETCHER_LISTEN: `127.0.0.1:${fetcherPort}`,
    ARCHIVER_DB: join(dir, `archive-${i}.db`),
    TRACE_CONSOLE_DB: join(dir, `traces-${i}.db`),
  };
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'cli', 'src', 'start.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const up = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`npm start: not up within 60 s:\n${out.slice(-2000)}`))), 60_000);
    const feed = (b: Buffer) => {
      out += b;
      if (out.includes('All three are up')) clearTimeout(timer), resolve((performance.now() - t0) / 1000);
    };
    child.stdout.on('data', feed);
    child.stderr.on('data', (b: Buffer) => (out += b));
    void exited.then((code) => (clearTimeout(timer), reject(new Error(`npm start exited (${code}) before "All three are up":\n${out.slice(-2000)}`))));
  });
  const t1 = performance.now();
  child.kill('SIGINT');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(killer);
  if (code !== 0) throw new Error(`npm start exited ${code} after SIGINT:\n${out.slice(-2000)}`);
  return { up, stop: (performance.now() - t1) / 1000 };
}

await bench('start-up', async (ctx) => {
  const dir = scratchDir();
  const runs: { up: number; stop: number }[] = [];
  for (let i = 0; i < ctx.rounds; i++) runs.push(await once(dir, i));
  const up = spread(runs.map((r) => r.up));
  const stop = spread(runs.map((r) => r.stop));
  const rows: Row[] = [
    {
      question: 'start-up',
      measure: 'npm start (node cli/src/start.ts) to "All three are up", fresh databases',
      value: `${fmt(up, 2, ' s')}`,
      detail: `${runs.length} run(s); Ctrl-C to a clean exit ${fmt(stop, 2, ' s')}`,
      target: 'seconds (reported)',
      verdict: 'info',
    },
  ];
  return rows;
}, { rounds: 2 });
