/**
 * `npm start` as a real process group: health-gated start, a fetch through
 * the CLIs, the trace in the console, clean Ctrl-C; and its failure paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { root, run } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';
import { freeTcpPorts } from '@tfa/test-helpers/ports';
import { startSite } from '../../services/fetcher/test/sites.ts';
import { portFree } from '@tfa/cli/start/ports';


/** Starts `npm start` in its own process group with the given ports. */
function npmStart(t: import('node:test').TestContext, ports: number[], env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir(t);
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      NO_COLOR: '1',
      TRACE_CONSOLE_LISTEN: `127.0.0.1:${ports[0]}`,
      ARCHIVER_LISTEN: `127.0.0.1:${ports[1]}`,
      FETCHER_LISTEN: `127.0.0.1:${ports[2]}`,
      ARCHIVER_DB: join(dir, 'archive.db'),
      TRACE_CONSOLE_DB: join(dir, 'traces.db'),
      // Tests never bind the default OTLP ports.
      TRACE_CONSOLE_OTLP_GRPC: 'off',
      TRACE_CONSOLE_OTLP_HTTP: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const group = () => {
    try {
      return execFileSync('pgrep', ['-g', String(child.pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  t.after(async () => {
    for (const pid of group()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return {
    child,
    exited,
    group,
    output: () => out,
    async waitFor(pattern: RegExp, ms = 60_000) {
      const end = Date.now() + ms;
      while (!pattern.test(out)) {
        if (Date.now() > end) throw new Error(`no ${pattern} within ${ms} ms; output:\n${out}`);
        if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}) before ${pattern}; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

test('npm start: healthy in order, a fetch end to end, the trace in the console, Ctrl-C frees everything', async (t) => {
  const site = await startSite(t);
  const ports = await freeTcpPorts(3);
  const started = Date.now();
  const s = npmStart(t, ports, { FETCHER_ALLOW: `127.0.0.1:${site.port}` });
  await s.waitFor(/All three are up/);
  t.diagnostic(`npm start to all healthy: ${((Date.now() - started) / 1000).toFixed(1)}s`);
  // Log lines leave each process in batches (up to 100 ms late): wait for the fetcher's first.
  await s.waitFor(/fetcher  \|/);
  const out = s.output();
  assert.ok(out.indexOf('console  |') < out.indexOf('archiver |') && out.indexOf('archiver |') < out.indexOf('fetcher  |'), `started in order:\n${out}`);
  assert.match(out, new RegExp(`trace-console  http://127\\.0\\.0\\.1:${ports[0]}/`));
  assert.ok(out.indexOf('trace-console  http') < out.indexOf('archiver       http'), 'the console is listed first');
  assert.doesNotMatch(out, /ARCHIVER_TOKEN=|Bearer [0-9a-f]{20}/, 'the token is not printed');

  const fetched = await run('fetcher-cli', ['fetch', `${site.url}/text`], { env: { FETCHER_URL: `http://127.0.0.1:${ports[2]}` } });
  assert.equal(fetched.code, 0, fetched.stderr);
  const answer = JSON.parse(fetched.stdout);
  assert.match(answer.archive_href, /^\/archive\/[0-9]+$/);
  const read = await run('archiver-cli', ['read', answer.archive_href], { env: { ARCHIVER_URL: `http://127.0.0.1:${ports[1]}` } });
  assert.equal(read.code, 0, read.stderr);
  assert.equal(JSON.parse(read.stdout).body, '<h1>héllo</h1>');
  const traceId = answer.trace_id as string;
  let found = 0;
  for (let i = 0; i < 50 && found !== 200; i++) {
    found = (await fetch(`http://127.0.0.1:${ports[0]}/api/traces/${traceId}`)).status;
    if (found !== 200) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(found, 200, 'the trace printed by the CLI is in the console');

  const members = s.group();
  assert.ok(members.length >= 4, `process group: ${members}`);
  process.kill(-s.child.pid!, 'SIGINT');
  const stoppedAt = Date.now();
  // npm re-raises the terminal's SIGINT on itself once its script has finished
  assert.ok([0, 'SIGINT'].includes(await s.exited), `npm start exited ${await s.exited}`);
  assert.match(s.output(), /archiver \| .*stopped/);
  assert.match(s.output(), /fetcher  \| .*stopped/);
  assert.ok(Date.now() - stoppedAt < 10_000);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(s.group(), [], 'no process of the group survives');
  for (const p of ports) assert.ok(await portFree('127.0.0.1', p), `port ${p} is free`);
});

test('npm start: a busy port is named with the setting that moves it', async (t) => {
  const ports = await freeTcpPorts(3);
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(ports[1], '127.0.0.1', r));
  t.after(() => new Promise((r) => blocker.close(r)));
  const s = npmStart(t, ports);
  assert.equal(await s.exited, 1);
  assert.match(s.output(), new RegExp(`127\\.0\\.0\\.1:${ports[1]} \\(archiver\\) is already in use; stop what holds it or move it with ARCHIVER_LISTEN=`));
  assert.deepEqual(s.group(), []);
});

test('npm start: a child that dies is named with its last lines, and the others stop', async (t) => {
  const ports = await freeTcpPorts(3);
  // a database path under a regular file cannot be created: the archiver exits at start
  const s = npmStart(t, ports, { ARCHIVER_DB: '/dev/null/archive.db' });
  assert.equal(await s.exited, 1);
  assert.match(s.output(), /npm start: archiver exited \(code 2\); its last lines:\n\s+archiver: cannot open --db/);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(s.group(), []);
  assert.ok(await portFree('127.0.0.1', ports[0]!, true), 'the console was stopped');
});

test('npm start: a second Ctrl-C kills at once', async (t) => {
  const site = await startSite(t);
  const ports = await freeTcpPorts(3);
  const s = npmStart(t, ports, { FETCHER_ALLOW: `127.0.0.1:${site.port}` });
  await s.waitFor(/All three are up/);
  // a fetch that never finishes keeps the graceful stop waiting
  const hanging = fetch(`http://127.0.0.1:${ports[2]}/fetch/${site.url}/hang`).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  process.kill(-s.child.pid!, 'SIGINT');
  await s.waitFor(/stopping \(press Ctrl-C again to kill\)/, 5000);
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(s.group().length > 0, 'still stopping gracefully');
  const secondAt = Date.now();
  process.kill(-s.child.pid!, 'SIGINT');
  const code = await s.exited;
  assert.ok([130, 'SIGINT'].includes(code), `exit ${code}`);
  assert.ok(Date.now() - secondAt < 3000, 'killed at once');
  await hanging;
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(s.group(), [], 'nothing survives');
});
