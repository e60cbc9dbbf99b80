/**
 * A PostgreSQL server owned by one test (initdb into a temporary directory, an ephemeral
 * loopback port), so a test may stop and start it without disturbing the shared cluster.
 * Needs root (the server runs as the `postgres` user) and the Debian postgresql package.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freeTcpPorts } from './ports.ts';

const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((d) => existsSync(join(d, 'initdb')));

/** Why a test-owned server cannot run here, or undefined; in CI it must. */
export function ownPostgresSkipReason(): string | undefined {
  const why = !bin ? 'no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)' : process.getuid?.() !== 0 ? 'not root: cannot run a test-owned PostgreSQL as user postgres' : undefined;
  if (why && process.env.CI) throw new Error(`CI: ${why}`);
  return why;
}

/** A running test-owned server. */
export interface OwnPostgres {
  url: string;
  stop(): void;
  start(): void;
}

/** initdb, start on a free port; stopped and removed after the test. */
export async function ownPostgres(t: TestContext): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tfa-pg-'));
  chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const data = join(dir, 'data');
  const [port] = await freeTcpPorts(1);
  const asPostgres = (cmd: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', join(bin!, cmd), ...args], { stdio: 'pipe', cwd: dir });
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const pg: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => void asPostgres('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']),
    stop: () => void asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
  };
  pg.start();
  t.after(() => {
    try {
      pg.stop();
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return pg;
}
