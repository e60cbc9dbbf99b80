/**
 * Starts the project's commands and the bench's own helper servers as real child processes
 * on ephemeral loopback ports. Output goes to a log file (never a pipe the harness must keep
 * draining, which would slow the service under test), polled for the "listening" line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** A running child process. */
export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  log: string;
  exited: Promise<number | string>;
  /** The first JSON log line whose msg matches (polls the log file). */
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, any>>;
  /** Signals the process and waits for it to exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
  /** The last lines of its output, for error messages. */
  tail(n?: number): string;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    process.exit(130);
  });
}

/** A scratch directory removed when the bench process exits. */
export function scratchDir(prefix = 'tfa-bench-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let logDir: string | undefined;

/** Runs `node [nodeArgs] script args` with output to a log file. */
export function spawnNode(name: string, script: string, args: string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Proc {
  logDir ??= scratchDir('tfa-bench-logs-');
  const log = join(logDir, `${name}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  live.add(child);
  const exited = once(child, 'exit').then(([code, signal]) => {
    live.delete(child);
    return (code ?? signal) as number | string;
  });
  const text = () => {
    try {
      return readFileSync(log, 'utf8');
    } catch {
      return '';
    }
  };
  const proc: Proc = {
    name,
    child,
    pid: child.pid!,
    log,
    exited,
    tail: (n = 15) => text().trimEnd().split('\n').slice(-n).join('\n'),
    async waitFor(msg, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exited.then(() => (done = true));
      for (;;) {
        for (const line of text().split('\n')) {
          if (!line.includes(msg)) continue;
          try {
            const j = JSON.parse(line);
            if (j.msg === msg) return j;
          } catch {
            // not a JSON line
          }
        }
        if (done) throw new Error(`${name} exited before "${msg}":\n${proc.tail()}`);
        if (Date.now() > deadline) throw new Error(`${name}: no "${msg}" within ${timeoutMs} ms:\n${proc.tail()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
  };
  return proc;
}

/** A started server with its base URL (`http://127.0.0.1:port`). */
export type Server = Proc & { url: string; port: number };

/** Starts the workspace bin `<command>` (archiver, fetcher, trace-console) and waits for "<command> listening". */
export async function startService(command: 'archiver' | 'fetcher' | 'trace-console', args: string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[]; name?: string } = {}): Promise<Server> {
  // Benchmarks never bind the default OTLP ports 4317/4318 (a developer's collector may hold them).
  const env = command === 'trace-console' ? { TRACE_CONSOLE_OTLP_GRPC: 'off', TRACE_CONSOLE_OTLP_HTTP: 'off', ...options.env } : options.env;
  const p = spawnNode(options.name ?? command, join(root, 'node_modules', '.bin', command), args, { ...options, env });
  const line = await p.waitFor(`${command} listening`, 60_000);
  const url = line.address as string;
  return Object.assign(p, { url, port: Number(new URL(url).port) });
}

/** Starts a helper from bench/servers/ (they log `{"msg":"listening","address":...}`). */
export async function startHelper(script: string, args: string[] = [], options: { env?: NodeJS.ProcessEnv; name?: string } = {}): Promise<Server> {
  const p = spawnNode(options.name ?? script, join(root, 'bench', 'servers', `${script}.ts`), args, options);
  const line = await p.waitFor('listening', 30_000);
  const url = line.address as string;
  return Object.assign(p, { url, port: Number(new URL(url).port) });
}

/** Environment that turns tracing off entirely. */
export const untraced: NodeJS.ProcessEnv = { OTEL_SDK_DISABLED: 'true' };

/** Traced, 100 % sampled, X-Ray segments to a UDP listener at `port`. */
export const tracedXray = (udpPort: number): NodeJS.ProcessEnv => ({
  OTEL_SDK_DISABLED: 'false',
  OTEL_TRACES_EXPORTER: 'xray',
  OTEL_TRACES_SAMPLER: 'always_on',
  AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${udpPort}`,
});

/** Traced, 100 % sampled, OTLP/HTTP to a receiver at `url`. */
export const tracedOtlp = (url: string): NodeJS.ProcessEnv => ({
  OTEL_SDK_DISABLED: 'false',
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_TRACES_SAMPLER: 'always_on',
  OTEL_EXPORTER_OTLP_ENDPOINT: url,
});
