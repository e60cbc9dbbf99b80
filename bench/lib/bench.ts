/**
 * What every bench script shares: flags, interleaved rounds, median and spread, the result
 * rows, the printed table and the JSON report `bench/run.ts` collects.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadTool, toolVersion } from './load.ts';

/** One line of the table. */
export interface Row {
  question: string;
  /** What is compared, e.g. `req/s archiver ÷ ceiling`. */
  measure: string;
  /** The headline number: a ratio, a latency, a rate. */
  value: string;
  /** The absolute numbers behind it. */
  detail: string;
  target: string;
  verdict: 'met' | 'missed' | 'reference' | 'info' | 'error';
}

/** Flags every script takes. */
export interface BenchContext {
  /** ~1 second of load in total, tiny data: only proves the script works. */
  smoke: boolean;
  rounds: number;
  /** Seconds per load run. */
  duration: number;
  /** Start the service under test with --cpu-prof and print its top self-time functions. */
  profile: boolean;
  /** Extra lines for the report (profiles, caveats). */
  notes: string[];
}

/** Median, min and max of a series. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

/** `1.23 (1.10–1.31)` with `digits` decimals and an optional unit after each number. */
export function fmt(s: Spread, digits = 2, unit = ''): string {
  const f = (v: number) => `${v.toFixed(digits)}${unit}`;
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** Like fmt, every number signed: `+1.20 ms (-0.30 ms–+2.00 ms)`. */
export function fmtSigned(s: Spread, digits = 2, unit = ''): string {
  const f = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}${unit}`;
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** A whole number with thin grouping: 12 345. */
export function int(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString('en-US').replace(/,/g, ' ') : 'n/a';
}

/**
 * Runs each variant once per round, rotating which goes first so that no variant always
 * gets the warm (or the noisy) slot. Returns every variant's results in round order.
 */
export async function interleave<T>(variants: Record<string, () => Promise<T>>, rounds: number): Promise<Record<string, T[]>> {
  const names = Object.keys(variants);
  const out: Record<string, T[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      out[name]!.push(await variants[name]!());
    }
  }
  return out;
}

/** Per-round ratios a[i] / b[i] (paired: same round, neighbouring in time). */
export function ratios(a: number[], b: number[]): number[] {
  return a.map((v, i) => v / b[i]!);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export { sleep };

/** Parses flags, runs `body`, prints its rows, writes `--report FILE` for bench/run.ts. */
export async function bench(question: string, body: (ctx: BenchContext) => Promise<Row[]>, defaults: { rounds?: number; duration?: number } = {}): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      profile: { type: 'boolean', default: false },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(`node bench/<script>.ts [--rounds N] [--duration SECONDS] [--profile] [--smoke] [--report FILE]\n`);
    return;
  }
  const smoke = !!values.smoke;
  const ctx: BenchContext = {
    smoke,
    rounds: values.rounds ? Number(values.rounds) : smoke ? 1 : (defaults.rounds ?? 3),
    duration: values.duration ? Number(values.duration) : smoke ? 1 : (defaults.duration ?? 3),
    profile: !!values.profile,
    notes: [],
  };
  const started = Date.now();
  let rows: Row[];
  let failed = false;
  try {
    rows = await body(ctx);
  } catch (err) {
    failed = true;
    rows = [{ question, measure: 'error', value: 'n/a', detail: ((err as Error).stack ?? String(err)).split('\n').slice(0, 12).join(' | '), target: '', verdict: 'error' }];
  }
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`\n${question} (${seconds.toFixed(1)} s, ${toolVersion(loadTool())}${smoke ? ', smoke' : ''})\n${table(rows)}\n`);
  for (const n of ctx.notes) process.stdout.write(`${n}\n`);
  if (values.report) writeFileSync(values.report, JSON.stringify({ question, seconds, rows, notes: ctx.notes }));
  process.exit(failed ? 1 : 0);
}

/** A Markdown table of rows. */
export function table(rows: Row[]): string {
  const head = ['question', 'measure', 'value: median (min–max)', 'target', 'verdict', 'absolute numbers'];
  const lines = [head, head.map(() => '---'), ...rows.map((r) => [r.question, r.measure, r.value, r.target, r.verdict, r.detail])];
  return lines.map((l) => `| ${l.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`).join('\n');
}
