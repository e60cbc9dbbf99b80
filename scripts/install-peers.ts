/**
 * Installs the benchmark peers (bench/peers/<name>/, each with its own package.json and
 * lockfile, kept out of the root's node_modules: their OpenTelemetry lines conflict with the
 * project's 3.x SDK). Run by the root's `prepare` (so `npm ci` installs them); skipped for a
 * production install (`--omit=dev`) and when BENCH_PEERS=skip. Run: `node scripts/install-peers.ts`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const PEERS = ['otel', 'adot', 'xray'];

if (process.env.BENCH_PEERS === 'skip' || /\bdev\b/.test(process.env.npm_config_omit ?? '') || process.env.NODE_ENV === 'production') {
  process.stdout.write('install-peers: skipped\n');
} else {
  const npm = process.env.npm_execpath;
  for (const peer of PEERS) {
    const cwd = join(root, 'bench', 'peers', peer);
    const [cmd, args] = npm ? [process.execPath, [npm, 'ci']] : ['npm', ['ci']];
    const r = spawnSync(cmd, [...args, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write(`install-peers: npm ci in bench/peers/${peer} failed (${r.error?.message ?? `exit ${r.status}`})\n`);
      process.exit(1);
    }
  }
}
