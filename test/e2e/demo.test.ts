/** `npm run demo -- --once`: starts the stack itself, drives one round, and checks every trace reached the console. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';
import { freeTcpPorts } from '@tfa/test-helpers/ports';


test('npm run demo -- --once: every expected trace reaches the console, and nothing is left running', async (t) => {
  const dir = tempDir(t);
  const [consolePort, archiverPort, fetcherPort, sitePort] = await freeTcpPorts(4);
  const child = spawn('npm', ['run', 'demo', '--silent', '--', '--once'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      NO_COLOR: '1',
      TRACE_CONSOLE_LISTEN: `127.0.0.1:${consolePort}`,
      ARCHIVER_LISTEN: `127.0.0.1:${archiverPort}`,
      FETCHER_LISTEN: `127.0.0.1:${fetcherPort}`,
      DEMO_SITE_PORT: String(sitePort),
      ARCHIVER_DB: join(dir, 'archive.db'),
      TRACE_CONSOLE_DB: join(dir, 'traces.db'),
      // Tests never bind the default OTLP ports.
      TRACE_CONSOLE_OTLP_GRPC: 'off',
      TRACE_CONSOLE_OTLP_HTTP: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const group = () => {
    try {
      return execFileSync('pgrep', ['-g', String(child.pid)]).toString().trim().split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  t.after(() => {
    for (const pid of group()) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, out);
  assert.match(out, /demo: every expected trace reached the console/);
  for (const label of ['/missing', '/error', '/slow', 'blocked link', '/redirect/3', '/image.png']) assert.match(out, new RegExp(`ok\\s+${label.replace(/[./]/g, '\\$&')}\\s`), label);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(group(), [], 'the stack the demo started is gone');
});

test('the screenshot script renders every page from a running system', { skip: !existsSync('/usr/bin/chromium') && !process.env.CI ? 'Chromium is not installed (apt-get install chromium)' : false }, async (t) => {
  const out = tempDir(t);
  const child = spawn(process.execPath, [join(root, 'scripts/screenshots.ts'), '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (b) => (log += b));
  child.stderr!.on('data', (b) => (log += b));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, log);
  const files = readdirSync(out).filter((f) => f.endsWith('.png'));
  for (const page of ['traces', 'trace', 'map', 'compare', 'diagnostics']) assert.ok(files.includes(`${page}-light.png`), `${page} (${files})`);
  for (const f of files) assert.deepEqual([...readFileSync(join(out, f)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], f);
});
