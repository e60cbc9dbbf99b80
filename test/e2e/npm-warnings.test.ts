/**
 * The README's `npx` commands through the system's own npm (an older Node, as the README's
 * setup allows) print no npm warning: the project's .npmrc keeps npm to errors, since the
 * code runs on the Node 24 that `npm ci` installs whatever Node runs npm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { root } from '@tfa/test-helpers/process';
import { tempDir } from '@tfa/test-helpers/tmp';

// PATH as a user's shell has it: without the project's node_modules/.bin (npm test puts it first).
const systemPath = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !resolve(d).startsWith(join(root, 'node_modules')));
const systemNpx = systemPath.map((d) => join(d, 'npx')).find((p) => existsSync(p));
// A user's environment, not the npm_* settings that `npm test` hands its scripts.
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

const systemNpm = systemNpx && join(systemNpx, '..', 'npm');

function npx(args: string[], cache: string, extra: NodeJS.ProcessEnv = {}) {
  return runSystem(systemNpx!, args, cache, extra);
}

function npmRun(args: string[], cache: string, extra: NodeJS.ProcessEnv = {}) {
  return runSystem(systemNpm!, args, cache, extra);
}

async function runSystem(command: string, args: string[], cache: string, extra: NodeJS.ProcessEnv) {
  // A fresh cache each time: the first npx in a project installs it into the cache, where npm checks engines.
  const env = { ...userEnv, PATH: systemPath.join(delimiter), npm_config_cache: cache, npm_config_offline: 'true', NO_COLOR: '1', ...extra };
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b) => (stdout += b));
  child.stderr.on('data', (b) => (stderr += b));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code, stdout, stderr };
}

test('documented npx commands through the system npm print no npm warning', { skip: !systemNpx && !process.env.CI && 'no system npm outside the project on PATH' }, async (t) => {
  assert.ok(systemNpx, 'CI needs a system npm');
  const systemNode = execFileSync('node', ['--version'], { env: { ...userEnv, PATH: systemPath.join(delimiter) } }).toString().trim();
  t.diagnostic(`system ${systemNpx} on Node ${systemNode}`);
  for (const [cmd, usage] of [
    ['archiver-cli', /^usage: archiver-cli /],
    ['fetcher-cli', /^usage: fetcher-cli /],
    ['trace-console', /usage: trace-console/],
  ] as const) {
    const r = await npx([cmd, '--help'], tempDir(t));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, usage);
    assert.doesNotMatch(r.stderr, /npm (warn|notice|WARN)/, `npx ${cmd} --help`);
  }
  // The README's first command, as a dry run: nothing but npm's own summary.
  const ci = await npmRun(['ci', '--dry-run', '--offline', '--ignore-scripts'], tempDir(t));
  assert.equal(ci.code, 0, ci.stderr);
  assert.doesNotMatch(ci.stderr, /npm (warn|notice|WARN)/, 'npm ci');
  if (Number(/^v(\d+)/.exec(systemNode)![1]) < 24) {
    // The control: npm's own warning level shows what the .npmrc keeps out (every workspace
    // asks for Node 24; the system's is older).
    const loud = await npmRun(['ci', '--dry-run', '--offline', '--ignore-scripts'], tempDir(t), { npm_config_loglevel: 'warn' });
    assert.match(loud.stderr, /npm warn EBADENGINE/, 'on an older system Node, npm at its default level warns');
  }
});
