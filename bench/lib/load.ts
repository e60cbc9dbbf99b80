/**
 * Load generation: Debian's `wrk` when installed (it keeps up with bare node:http on 2 cores),
 * autocannon (npm) as the fallback. `BENCH_TOOL=autocannon` forces the fallback.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, scratchDir } from './proc.ts';

export type Tool = 'wrk' | 'autocannon';

let chosen: Tool | undefined;

/** The load generator this run uses. */
export function loadTool(): Tool {
  if (chosen) return chosen;
  const forced = process.env.BENCH_TOOL;
  if (forced === 'wrk' || forced === 'autocannon') return (chosen = forced);
  const probe = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  chosen = probe.error ? 'autocannon' : 'wrk';
  return chosen;
}

/** A description for reports: `wrk 4.1.0` or `autocannon 9.x`. */
export function toolVersion(tool: Tool = loadTool()): string {
  if (tool === 'wrk') {
    const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
    const m = /wrk (\S+)/.exec(`${out.stdout}${out.stderr}`);
    return `wrk ${m ? m[1] : ''}`.trim();
  }
  try {
    const pkg = JSON.parse(spawnSync(process.execPath, ['-p', 'JSON.stringify(require("autocannon/package.json"))'], { cwd: root, encoding: 'utf8' }).stdout);
    return `autocannon ${pkg.version}`;
  } catch {
    return 'autocannon';
  }
}

/** What to load. */
export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds (wrk needs whole seconds; at least 1). */
  duration: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A POST body of this many bytes, unique per request (the first 24 bytes vary). */
  bodyBytes?: number;
  /** Per-request timeout in seconds (default 10). */
  timeout?: number;
  tool?: Tool;
}

/** One load run's outcome. */
export interface LoadResult {
  tool: Tool;
  requests: number;
  rps: number;
  p50: number; // ms
  p99: number; // ms
  /** Non-2xx/3xx answers plus socket errors and timeouts. */
  errors: number;
}

/** Runs one load and returns throughput and latency. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const tool = o.tool ?? loadTool();
  return tool === 'wrk' ? wrk(o) : autocannon(o);
}

let luaDir: string | undefined;

function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

async function wrk(o: LoadOptions): Promise<LoadResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${Math.max(1, Math.round(o.duration))}s`, `--timeout`, `${o.timeout ?? 10}s`, '--latency'];
  const headers = o.headers ?? {};
  if (o.method === 'POST' || o.bodyBytes !== undefined) {
    luaDir ??= scratchDir('tfa-bench-lua-');
    const seed = randomBytes(4).toString('hex'); // bodies differ between runs too (the archiver dedupes identical bodies)
    const hdrs = Object.entries(headers).map(([k, v]) => `  ${luaString(k)}, ${luaString(v)},`).join('\n');
    const lua = `local n = 0
local pad = string.rep("x", ${Math.max(0, (o.bodyBytes ?? 0) - 24)})
local path = ${luaString(new URL(o.url).pathname + new URL(o.url).search)}
local list = {\n${hdrs}\n}
local headers = {}
for i = 1, #list, 2 do headers[list[i]] = list[i + 1] end
request = function()
  n = n + 1
  return wrk.format(${luaString(o.method ?? 'POST')}, path, headers, string.format("%s-%015d", ${luaString(seed)}, n) .. pad)
end
`;
    const file = join(luaDir, `post-${seed}.lua`);
    writeFileSync(file, lua);
    args.push('-s', file);
  } else {
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  }
  args.push(o.url);
  const out = await capture('wrk', args);
  return parseWrk(out);
}

/** Parses `wrk --latency` output. */
export function parseWrk(out: string): LoadResult {
  const unit = (v: string, u: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[u]!;
  const pct = (p: string) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? unit(m[1]!, m[2]!) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock ? Number(sock[1]) + Number(sock[2]) + Number(sock[3]) + Number(sock[4]) : 0;
  if (!Number.isFinite(rps)) throw new Error(`cannot parse wrk output:\n${out}`);
  return { tool: 'wrk', requests, rps, p50: pct('50'), p99: pct('99'), errors: non2xx + sockErrors };
}

async function autocannon(o: LoadOptions): Promise<LoadResult> {
  const out = await capture(process.execPath, [join(root, 'bench', 'lib', 'autocannon-child.ts'), JSON.stringify(o)]);
  return JSON.parse(out) as LoadResult;
}

/** Runs a command and returns its stdout (stderr appended on failure). */
export function capture(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}${err}`))));
  });
}

/** Connections for the throughput comparisons (one wrk thread on a 2-core machine). */
export const CONNECTIONS = 32;
