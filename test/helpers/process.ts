/**
 * Starts the project's real commands as child processes on ephemeral
 * loopback ports, reads their JSON logs, and makes sure none outlives its test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** A running command. */
export interface Running {
  child: ChildProcess;
  /** Every stdout/stderr line so far. */
  lines: string[];
  /** Resolves with the first JSON log line whose msg matches. */
  /** The first log line whose msg is `msg` (or matches it, or for which it returns true); logs are batched, so lines arrive up to 100 ms late. */
  waitFor(msg: string | RegExp | ((line: Record<string, any>) => boolean), timeoutMs?: number): Promise<Record<string, any>>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs the workspace bin `<command>` (node_modules/.bin) with Node 24; killed in t.after if still running. */
export function start(t: TestContext | undefined, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Running {
  const child = spawn(process.execPath, [`${root}node_modules/.bin/${command}`, ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, LOG_LEVEL: 'info', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (v: any) => void }[] = [];
  const feed = (buf: Buffer, pending: { text: string }) => {
    pending.text += buf.toString();
    let i: number;
    while ((i = pending.text.indexOf('\n')) >= 0) {
      const line = pending.text.slice(0, i);
      pending.text = pending.text.slice(i + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.match(line)) waiters.splice(waiters.indexOf(w), 1), w.resolve(line);
    }
  };
  const out = { text: '' };
  const err = { text: '' };
  child.stdout!.on('data', (b) => feed(b, out));
  child.stderr!.on('data', (b) => feed(b, err));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  const running: Running = {
    child,
    lines,
    exited,
    waitFor(msg, timeoutMs = 20_000) {
      const match = (line: string) => {
        try {
          const j = JSON.parse(line);
          if (typeof msg === 'function') return msg(j);
          return typeof msg === 'string' ? j.msg === msg : msg.test(j.msg ?? '');
        } catch {
          return false;
        }
      };
      const seen = lines.find(match);
      if (seen) return Promise.resolve(JSON.parse(seen));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${command}: no "${msg}" log within ${timeoutMs} ms; output:\n${lines.join('\n')}`)), timeoutMs);
        waiters.push({ match, resolve: (line: string) => (clearTimeout(timer), resolve(JSON.parse(line))) });
        exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${command} exited (${code}) before "${msg}"; output:\n${lines.join('\n')}`));
        });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  t?.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return running;
}

/** Runs a command to completion and returns its output. */
export async function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | string; stdout: string; stderr: string; stdoutBytes: Buffer }> {
  const child = spawn(process.execPath, [`${root}node_modules/.bin/${command}`, ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => err.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const [code, signal] = await once(child, 'exit');
  clearTimeout(timer);
  const stdoutBytes = Buffer.concat(out);
  return { code: code ?? signal, stdout: stdoutBytes.toString(), stderr: Buffer.concat(err).toString(), stdoutBytes };
}

/** Starts an archiver on an ephemeral port and returns its base URL. */
export async function startArchiver(t: TestContext, options: { db: string; token?: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<Running & { url: string }> {
  const args = ['--listen', '127.0.0.1:0', '--db', options.db, ...(options.token ? ['--token', options.token] : []), ...(options.args ?? [])];
  const p = start(t, 'archiver', args, { env: { OTEL_TRACES_EXPORTER: 'none', ...options.env } });
  const line = await p.waitFor('archiver listening');
  return Object.assign(p, { url: line.address as string });
}

/** Starts a fetcher on an ephemeral port (after its archiver wait) and returns its base URL. */
export async function startFetcher(t: TestContext, options: { archiver: string; allow?: string; token?: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<Running & { url: string }> {
  const args = ['--listen', '127.0.0.1:0', '--archiver', options.archiver, ...(options.allow ? ['--allow', options.allow] : []), ...(options.args ?? [])];
  const p = start(t, 'fetcher', args, { env: { OTEL_TRACES_EXPORTER: 'none', ...(options.token ? { ARCHIVER_TOKEN: options.token } : {}), ...options.env } });
  const line = await p.waitFor('fetcher listening', 30_000);
  return Object.assign(p, { url: line.address as string });
}
