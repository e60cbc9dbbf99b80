/**
 * `npm run bench`: runs every question's script in turn (each in its own process, as
 * `node bench/<name>.ts --report FILE`), prints one table and writes BENCHMARKS.md with the
 * machine, Node version, date, command and load generator.
 *
 *   node bench/run.ts                      every question, writes BENCHMARKS.md
 *   node bench/run.ts ceiling tracing-cost some of them (BENCHMARKS.md is left alone)
 *   node bench/run.ts --smoke              ~1 s of load each, nothing written
 *   --json FILE                            also the rows as JSON (the smoke test reads them)
 *   --out FILE                             write the Markdown there instead of BENCHMARKS.md
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { table, type Row } from './lib/bench.ts';
import { loadTool, toolVersion } from './lib/load.ts';
import { root, scratchDir } from './lib/proc.ts';

export const QUESTIONS = ['ceiling', 'archiver-read', 'archiver-write', 'tracing-cost', 'peers', 'fetch-pipeline', 'big-bodies', 'console-ingest', 'console-query', 'startup', 'daemon-down'] as const;

const { values, positionals } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, out: { type: 'string' }, json: { type: 'string' } }, allowPositionals: true });
for (const p of positionals) if (!(QUESTIONS as readonly string[]).includes(p)) throw new Error(`unknown question ${p}; one of ${QUESTIONS.join(', ')}`);
const chosen = positionals.length ? positionals : [...QUESTIONS];
const dir = scratchDir();
const started = Date.now();
const rows: Row[] = [];
const notes: string[] = [];
const seconds: string[] = [];
const tool = toolVersion(loadTool());
process.stdout.write(`bench: ${chosen.length} question(s) with ${tool}${values.smoke ? ' (smoke)' : ''}\n`);

/** Runs one question's script; its rows (or an error row) come back. */
async function runOne(name: string): Promise<{ rows: Row[]; notes: string[]; seconds: string }> {
  const report = join(dir, `${name}.json`);
  const t0 = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bench', `${name}.ts`), '--report', report, ...(values.smoke ? ['--smoke'] : [])], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
  });
  try {
    const r = JSON.parse(readFileSync(report, 'utf8')) as { rows: Row[]; notes: string[]; seconds: number };
    return { rows: r.rows, notes: r.notes, seconds: `${name} ${r.seconds.toFixed(0)} s` };
  } catch {
    return {
      rows: [{ question: name, measure: 'error', value: 'n/a', detail: `the script exited ${code} without a report`, target: '', verdict: 'error' }],
      notes: [],
      seconds: `${name} ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    };
  }
}

// Measurements run one at a time (they share 2 cores); a smoke run, whose numbers mean
// nothing, runs two at a time to keep the smoke test short.
const lanes = values.smoke ? 2 : 1;
const results: Awaited<ReturnType<typeof runOne>>[] = new Array(chosen.length);
let next = 0;
await Promise.all(
  Array.from({ length: lanes }, async () => {
    while (next < chosen.length) {
      const i = next++;
      results[i] = await runOne(chosen[i]!);
    }
  }),
);
for (const r of results) rows.push(...r.rows), notes.push(...r.notes), seconds.push(r.seconds);

const total = (Date.now() - started) / 1000;
const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux`;
const command = `npm run bench${positionals.length ? ` -- ${positionals.join(' ')}` : ''}${values.smoke ? ' -- --smoke' : ''}`;
const text = table(rows);
process.stdout.write(`\n${text}\n\n${seconds.join(', ')}; total ${total.toFixed(0)} s\n`);
const failed = rows.some((r) => r.verdict === 'error');
if (values.json) writeFileSync(values.json, JSON.stringify({ tool, seconds: total, rows }));

if (!values.smoke && (positionals.length === 0 || values.out)) {
  const out = values.out ?? join(root, 'BENCHMARKS.md');
  // A hand-written analysis below this marker survives reruns (it names the run it was written for).
  const MARK = '<!-- analysis: written by hand, kept across runs -->';
  let kept = '';
  try {
    const old = readFileSync(out, 'utf8');
    if (old.includes(MARK)) kept = old.slice(old.indexOf(MARK));
  } catch {
    // first run
  }
  const md = `# Benchmarks

Produced by \`${command}\` (see [bench/README.md](bench/README.md) for how to run one question
and how to read this table).

| | |
|---|---|
| date | ${new Date().toISOString()} |
| machine | ${machine} |
| Node.js | ${process.version} |
| load generator | ${tool} |
| duration | ${total.toFixed(0)} s (${seconds.join(', ')}) |

Every comparison is measured side by side in this one run, in interleaved rounds; the value is
the median over rounds with the min–max spread in parentheses. Ratios are paired per round
(the two sides ran back to back). The machine is shared: absolute numbers move between runs,
the ratios much less.

${text}
${notes.length ? `\n## Notes from the run\n\n\`\`\`\n${notes.join('\n')}\n\`\`\`\n` : ''}
${kept}`;
  writeFileSync(out, md);
  process.stdout.write(`wrote ${out}\n`);
}
process.exit(failed ? 1 : 0);
