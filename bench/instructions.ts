/**
 * Instructions per archiver read (GET /archive/{id}, 10 KiB), counted by Valgrind's callgrind
 * in each tracing variant: what our code costs, free of the machine's noise. CPU time and
 * req/s on a shared 2-core VM move by ±20 % between rounds, and wrk on the same cores makes
 * every µs a server spends look larger (its wake-ups land in the server's writev); an
 * instruction count is the same on every run to a fraction of a percent. It counts user
 * space only: the kernel's share (writev, sendto) is not in it, which is why the table
 * also gives the datagrams each variant sent.
 *
 * Not part of `npm run bench` (the 5-minute budget): 2–4 minutes per variant, two at a time,
 * 8–12 minutes for all. Needs `valgrind` (Debian package `valgrind`).
 *
 * The count is split by function name (callgrind_annotate): V8's garbage collector, its
 * compilers (still optimising now and then, and far more under Valgrind's slower clock), and
 * the rest, "mutator": the JavaScript, builtins, libuv, SQLite. The mutator column moves by
 * under 1 % between two runs of one variant; the GC and compiler columns by more.
 *
 *   node bench/instructions.ts [--requests 10000] [--warmup 40000] [--keep DIR] [variant ...]
 *   node bench/instructions.ts --peers [--requests 3000] [--warmup 10000] [setup ...]
 *
 * `--peers` counts bench/peers.ts's setups instead (the same handler traced by each peer, each
 * against its own untraced base) and prints ours ÷ the best peer, as bench/peers.ts does with
 * CPU time: the comparison without the machine's noise (the listener's share not counted).
 *
 * Each variant is a real archiver process (`bin/archiver`, as the table starts it) under
 * `valgrind --tool=callgrind --instr-atstart=no`: it starts, serves the warm-up requests
 * uncounted (40 000: the JIT settles; twice as many at 5 % sampling, so that the sampled
 * path is optimised too, as it is in a service that has run for a while), then counting is switched
 * on for the measured requests (one keep-alive connection, so that no run batches more
 * requests per event-loop turn than another) and for a further 200 ms so lingering spans are
 * exported inside the window, then switched off and dumped. Each variant sends to listeners
 * of its own (bench/servers/sinks.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { doc10k, store } from './lib/archiver.ts';
import { missingPeers, VARIANTS as PEER_VARIANTS, type Variant as PeerVariant } from './lib/peers.ts';
import { root, scratchDir, startHelper, tracedOtlp, tracedXray, untraced } from './lib/proc.ts';

const { values, positionals } = parseArgs({ options: { requests: { type: 'string' }, warmup: { type: 'string' }, keep: { type: 'string' }, peers: { type: 'boolean', default: false } }, allowPositionals: true });
// The peers' slowest setups take ~5× an archiver read: fewer requests keep a run near 20 minutes.
const requests = Number(values.requests ?? (values.peers ? 3000 : 10000));
const warmup = Number(values.warmup ?? (values.peers ? 10000 : 40000));

try {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
} catch {
  process.stderr.write('bench/instructions.ts needs valgrind (apt-get install -y valgrind)\n');
  process.exit(2);
}

// --keep DIR: leave the callgrind files there, for callgrind_annotate.
const dir = values.keep ?? scratchDir();
mkdirSync(dir, { recursive: true });
const ratio5 = { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' };
/** Each variant's environment, given the UDP port and OTLP URL of its own listeners. */
const VARIANTS: Record<string, (udp: number, otlp: string) => NodeJS.ProcessEnv> = {
  untraced: () => untraced,
  'untraced, LOG_LEVEL=warn': () => ({ ...untraced, LOG_LEVEL: 'warn' }),
  always_off: (udp) => ({ ...tracedXray(udp), OTEL_TRACES_SAMPLER: 'always_off' }),
  '5 % segment': (udp) => ({ ...tracedXray(udp), ...ratio5, OTEL_EXPORTER_XRAY_PROTOCOL: 'segment' }),
  '5 % T1S': (udp) => ({ ...tracedXray(udp), ...ratio5, OTEL_EXPORTER_XRAY_PROTOCOL: 'otlp' }),
  '100 % none': (udp) => ({ ...tracedXray(udp), OTEL_TRACES_EXPORTER: 'none' }),
  '100 % T1S': (udp) => ({ ...tracedXray(udp), OTEL_EXPORTER_XRAY_PROTOCOL: 'otlp' }),
  '100 % segment': (udp) => ({ ...tracedXray(udp), OTEL_EXPORTER_XRAY_PROTOCOL: 'segment' }),
  '100 % otlp': (_udp, otlp) => tracedOtlp(otlp),
};
/** What one measured process is: its script and arguments after `node`, its environment, and the URL to load once it listens. */
interface Target {
  name: string;
  argv(udp: number, otlp: string, db: string): string[];
  env(udp: number, otlp: string): NodeJS.ProcessEnv;
  /** The URL to GET, given the address the process listens on. */
  url(address: string): Promise<string>;
  /** Warm-up requests before counting. */
  warm: number;
}

const archiverTarget = (name: string): Target => {
  const env = (udp: number, otlp: string) => VARIANTS[name]!(udp, otlp);
  return {
    name,
    argv: (_udp, _otlp, db) => [join(root, 'node_modules', '.bin', 'archiver'), '--listen', '127.0.0.1:0', '--db', db],
    env,
    url: async (address) => `${address}${await store(address, doc10k)}`,
    // V8 optimises a function after enough calls: give a 5 % path twice the requests to get there.
    warm: env(0, '').OTEL_TRACES_SAMPLER === 'traceidratio' ? 2 * warmup : warmup,
  };
};

const peerTarget = (v: PeerVariant): Target => ({
  name: v.name,
  argv: (udp, otlp) => [join(root, 'bench', 'peers', v.script), ...(v.args?.({ url: otlp, udp }) ?? [])],
  env: (udp, otlp) => ({ LOG_LEVEL: 'info', ...(v.env?.({ url: otlp, udp }) ?? {}) }),
  url: async (address) => `${address}/doc`,
  warm: warmup,
});

let targets: Target[];
if (values.peers) {
  const missing = missingPeers();
  if (missing.length) throw new Error(`bench/peers/{${missing.join(',')}} not installed: run \`npm ci\` at the root`);
  const names = positionals.length ? positionals : PEER_VARIANTS.map((v) => v.name);
  targets = names.map((n) => {
    const v = PEER_VARIANTS.find((x) => x.name === n);
    if (!v) throw new Error(`unknown peer variant "${n}"; one of: ${PEER_VARIANTS.map((x) => x.name).join(', ')}`);
    return peerTarget(v);
  });
} else {
  const chosen = positionals.length ? positionals : Object.keys(VARIANTS);
  for (const c of chosen) if (!(c in VARIANTS)) throw new Error(`unknown variant "${c}"; one of: ${Object.keys(VARIANTS).join(', ')}`);
  targets = chosen.map(archiverTarget);
}

/** `n` GETs of `url` over `connections` keep-alive connections. */
async function load(url: string, n: number, connections = 1): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let issued = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = get(url, { agent, timeout: 30_000 }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}`));
        res.resume();
        res.on('end', resolve);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
      req.on('error', reject);
    });
  await Promise.all(Array.from({ length: connections }, async () => { while (issued++ < n) await one(); }));
  agent.destroy();
}

/** Instructions per request of one variant, and what reached the listeners. */
// Self cost by function name: V8's garbage collector, and its parsers and compilers.
const GC = /v8::internal::(Heap|Mark|Scaveng|Sweep|ConcurrentMarking|Evacuat|Minor|MemoryAllocator|\w*Visitor|\w*Marking|GC|PagedSpace|RememberedSet|Slot|\w*Sweeper|MemoryChunk|PageMetadata|MutablePageMetadata|IncrementalMarking|ArrayBufferSweeper|WeakObjects|EphemeronTable|\w*Compactor|LocalHeap|TracedHandles|GlobalHandles|CppHeap|\w*Scavenger)|cppgc::|heap::base|IterateObjectCache|MarkCompact|GCTracer/;
const COMPILER = /v8::internal::(compiler|maglev|turboshaft|baseline|Compiler|Parser|Zone|interpreter::Bytecode|Scope|AstNode|\w*Compilation|OptimizingCompile|Deoptimizer|\w*Compile|CodeAssembler)|Turbofan|Maglev/;

interface Count {
  name: string;
  /** Instructions per request: all, and split. */
  ir: number;
  gc: number;
  jit: number;
  mutator: number;
  sent: Record<string, number>;
}

async function measure(target: Target, index: number): Promise<Count> {
  const name = target.name;
  const slug = `${index}-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`;
  const out = join(dir, `callgrind.${slug}.out`);
  const log = join(dir, `${slug}.log`);
  const sinks = await startHelper('sinks', [], { name: `sinks-${slug}` });
  const udp = Number((await sinks.waitFor('listening')).udp);
  const env = target.env(udp, sinks.url);
  const counts = async () => (await (await fetch(`${sinks.url}/counts`)).json()) as Record<string, number>;
  const fd = openSync(log, 'w');
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, process.execPath, ...target.argv(udp, sinks.url, join(dir, `${slug}.db`))],
    { cwd: root, env: { ...process.env, LOG_LEVEL: 'info', NO_COLOR: '1', ...env }, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exited = once(child, 'exit');
  try {
    const deadline = Date.now() + 240_000;
    let address: string | undefined;
    while (address === undefined) {
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        if (line.includes('"archiver listening"') || line.includes('"msg":"listening"')) address = (JSON.parse(line) as { address: string }).address;
      }
      // LOG_LEVEL=warn prints no listening line: find the port valgrind's child bound.
      if (address === undefined && env.LOG_LEVEL === 'warn') address = listeningAddress(child.pid!);
      if (child.exitCode !== null) throw new Error(`${name}: the archiver exited:\n${readFileSync(log, 'utf8').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`${name}: not listening after 240 s`);
      if (address === undefined) await new Promise((r) => setTimeout(r, 500));
    }
    const url = await target.url(address);
    await load(url, target.warm);
    const before = await counts();
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
    await load(url, requests);
    await new Promise((r) => setTimeout(r, 200));
    execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
    const after = await counts();
    child.kill('SIGTERM');
    await exited;
    // The last dump (at exit) holds the whole count: instrumentation was only on for the window.
    const files = readdirSync(dir).filter((f) => f.startsWith(`callgrind.${slug}.out`)).map((f) => join(dir, f));
    const split = { gc: 0, jit: 0, mutator: 0 };
    for (const f of files) {
      const annotated = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', f], { encoding: 'utf8', maxBuffer: 1 << 28 });
      for (const line of annotated.split('\n')) {
        const m = /^\s*([\d,]+) \([ \d.]+%\)\s+(.*)$/.exec(line);
        if (!m || m[2]!.includes('PROGRAM TOTALS')) continue;
        split[GC.test(m[2]!) ? 'gc' : COMPILER.test(m[2]!) ? 'jit' : 'mutator'] += Number(m[1]!.replaceAll(',', ''));
      }
    }
    const sent = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
    return { name, ir: (split.gc + split.jit + split.mutator) / requests, gc: split.gc / requests, jit: split.jit / requests, mutator: split.mutator / requests, sent };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await sinks.stop();
  }
}

/** The first listening TCP socket of process `pid`, from /proc (no log line to read it from). */
function listeningAddress(pid: number): string | undefined {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /socket:\[(\d+)\]/.exec(execFileSync('readlink', [`/proc/${pid}/fd/${fd}`], { encoding: 'utf8' }));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return undefined;
  }
  if (!existsSync('/proc/net/tcp')) return undefined;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '0A' && inodes.has(f[9]!)) return `http://127.0.0.1:${parseInt(f[1]!.split(':')[1]!, 16)}`;
  }
  return undefined;
}

// A variant named twice is measured twice: how far two runs of one variant differ.
const results: Count[] = new Array(targets.length);
let next = 0;
await Promise.all(
  [0, 1].map(async () => {
    while (next < targets.length) {
      const i = next++;
      const r = await measure(targets[i]!, i);
      process.stderr.write(`${r.name}: ${(r.mutator / 1000).toFixed(1)} k mutator instructions per request (${(r.ir / 1000).toFixed(1)} k in all)\n`);
      results[i] = r;
    }
  }),
);
const k = (v: number) => (v / 1000).toFixed(1);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${k(v)} k`;
const sentOf = (r: Count) => Object.entries(r.sent).filter(([, v]) => v > 0).map(([key, v]) => `${key} ${v}`).join(', ') || '—';
const lines: string[] = [];
if (values.peers) {
  // Each setup against its own untraced baseline; then ours ÷ the best peer, as bench/peers.ts does with CPU time.
  const byName = new Map(results.map((r) => [r.name, r]));
  const added = new Map<string, number>();
  lines.push(
    `Instructions per request of the peers' handler (10 KiB from memory; callgrind, the server process's user space, the listener not counted; ${requests} requests after ${warmup} uncounted, one connection)`,
    '',
    '| setup | mutator k / request | added vs its untraced base | base ÷ setup | GC k | compilers k | all k | sent to the listener |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const r of results) {
    const v = PEER_VARIANTS.find((x) => x.name === r.name)!;
    const b = v.base === undefined ? undefined : byName.get(v.base);
    if (b) added.set(r.name, r.mutator - b.mutator);
    lines.push(`| ${r.name} | ${k(r.mutator)} | ${b ? signed(r.mutator - b.mutator) : v.base === undefined ? 'base' : 'its base not measured'} | ${b ? (b.mutator / r.mutator).toFixed(3) : ''} | ${k(r.gc)} | ${k(r.jit)} | ${k(r.ir)} | ${sentOf(r)} |`);
  }
  lines.push('');
  for (const exporting of [true, false]) {
    const of = (ours: boolean) => PEER_VARIANTS.filter((v) => !!v.ours === ours && (ours || v.peer) && (v.sink !== 'none') === exporting && added.has(v.name));
    const best = of(false).sort((a, b) => added.get(a.name)! - added.get(b.name)!)[0];
    if (!best) continue;
    for (const o of of(true)) {
      lines.push(`- ${o.name} ÷ best peer ${exporting ? 'exporting' : 'not exporting'} (${best.name}): ${(added.get(o.name)! / added.get(best.name)!).toFixed(2)}× (${signed(added.get(o.name)!)} against ${signed(added.get(best.name)!)})`);
    }
  }
} else {
  const base = results.find((r) => r.name === 'untraced');
  lines.push(
    `Instructions per archiver read (callgrind, user space; ${requests} requests after ${warmup} uncounted (${warmup * 2} at 5 %), one connection)`,
    '',
    '| variant | mutator k / request | added vs untraced | untraced ÷ variant | GC k | compilers k | all k | sent to the listeners |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.name} | ${k(r.mutator)} | ${base ? signed(r.mutator - base.mutator) : ''} | ${base ? (base.mutator / r.mutator).toFixed(3) : ''} | ${k(r.gc)} | ${k(r.jit)} | ${k(r.ir)} | ${sentOf(r)} |`),
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(0);
