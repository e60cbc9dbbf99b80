/**
 * Question: archiver write. POST /archive (raw form) of 64 KiB bodies, each unique, 10
 * clients, every 201 a durable commit, against a bare node:http server inserting each body
 * with node:sqlite (WAL, synchronous=FULL). Target ≥ 1.0 × the baseline (group commit).
 */
import { join } from 'node:path';
import { startArchiver } from './lib/archiver.ts';
import { bench, fmt, interleave, ratios, spread, type Row } from './lib/bench.ts';
import { runLoad } from './lib/load.ts';
import { scratchDir, startHelper } from './lib/proc.ts';
import { cpuProfArgs, profileNotes } from './lib/profile.ts';

const CLIENTS = 10;
const BODY = 64 * 1024;

await bench('archiver write', async (ctx) => {
  const dir = scratchDir();
  const baseline = await startHelper('sqlite-http', ['--db', join(dir, 'baseline.db')]);
  const archiver = await startArchiver(dir, 'archiver', { nodeArgs: ctx.profile ? cpuProfArgs(dir) : [] });
  try {
    const headers = { 'Content-Type': 'application/octet-stream', 'X-Archive-Status': '200' };
    const load = (url: string, duration = ctx.duration) => () => runLoad({ url: `${url}/archive`, method: 'POST', headers, bodyBytes: BODY, connections: CLIENTS, duration });
    if (!ctx.smoke) await load(baseline.url, 1)(), await load(archiver.url, 1)(); // warm-up
    const r = await interleave({ baseline: load(baseline.url), archiver: load(archiver.url) }, ctx.rounds);
    const a = r.archiver!;
    const b = r.baseline!;
    const ratio = spread(ratios(a.map((x) => x.rps), b.map((x) => x.rps)));
    const errors = a.reduce((s, x) => s + x.errors, 0) + b.reduce((s, x) => s + x.errors, 0);
    const rows: Row[] = [
      {
        question: 'archiver write',
        measure: `POST /archive 64 KiB, ${CLIENTS} clients, durable ÷ bare node:http + node:sqlite (WAL, FULL)`,
        value: `${fmt(ratio)}×`,
        detail: `archiver ${fmt(spread(a.map((x) => x.rps)), 0)} req/s (p50 ${fmt(spread(a.map((x) => x.p50)), 2, ' ms')}, p99 ${fmt(spread(a.map((x) => x.p99)), 1, ' ms')}); baseline ${fmt(spread(b.map((x) => x.rps)), 0)} req/s (p50 ${fmt(spread(b.map((x) => x.p50)), 2, ' ms')})${errors ? `; ${errors} errors` : ''}`,
        target: '≥ 1.0×',
        verdict: errors === 0 && ratio.median >= 1.0 ? 'met' : 'missed',
      },
    ];
    if (ctx.profile) {
      await archiver.stop();
      ctx.notes.push(...profileNotes('archiver', dir));
    }
    return rows;
  } finally {
    await Promise.all([baseline.stop(), archiver.stop()]);
  }
});
