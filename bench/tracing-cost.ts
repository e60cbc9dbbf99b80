/**
 * Question: the cost of tracing. Archiver reads (GET /archive/{id}, 10 KiB) traced at 100 %
 * with the `xray` exporter to a live UDP listener, and with `otlp` to a local OTLP/HTTP
 * receiver, each against the same archiver untraced; interleaved rounds, paired ratios.
 * Targets: req/s ≥ 0.90 × untraced; p99 within +1 ms.
 */
import { startArchiver, doc10k, store } from './lib/archiver.ts';
import { bench, fmt, fmtSigned, interleave, ratios, spread, type Row } from './lib/bench.ts';
import { CONNECTIONS, runLoad } from './lib/load.ts';
import { scratchDir, startHelper, tracedOtlp, tracedXray, untraced } from './lib/proc.ts';
import { cpuProfArgs, profileNotes } from './lib/profile.ts';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

await bench('tracing cost', async (ctx) => {
  const dir = scratchDir();
  const sinks = await startHelper('sinks');
  const udpPort = Number((await sinks.waitFor('listening')).udp);
  const profDir = (name: string) => (ctx.profile ? (mkdirSync(join(dir, name), { recursive: true }), cpuProfArgs(join(dir, name))) : []);
  const [plain, xray, otlp] = await Promise.all([
    startArchiver(dir, 'untraced', { env: untraced, nodeArgs: profDir('untraced') }),
    startArchiver(dir, 'xray', { env: tracedXray(udpPort), nodeArgs: profDir('xray') }),
    startArchiver(dir, 'otlp', { env: tracedOtlp(sinks.url), nodeArgs: profDir('otlp') }),
  ]);
  try {
    const urls = { untraced: `${plain.url}${await store(plain.url, doc10k)}`, xray: `${xray.url}${await store(xray.url, doc10k)}`, otlp: `${otlp.url}${await store(otlp.url, doc10k)}` };
    const load = (url: string, duration = ctx.duration) => () => runLoad({ url, connections: CONNECTIONS, duration });
    if (!ctx.smoke) for (const u of Object.values(urls)) await load(u, 1)(); // warm-up
    const before = (await (await fetch(`${sinks.url}/counts`)).json()) as Record<string, number>;
    const r = await interleave({ untraced: load(urls.untraced), xray: load(urls.xray), otlp: load(urls.otlp) }, ctx.rounds);
    await new Promise((res) => setTimeout(res, ctx.smoke ? 300 : 1500)); // let the exporters' last batches leave
    const after = (await (await fetch(`${sinks.url}/counts`)).json()) as Record<string, number>;
    const u = r.untraced!;
    const rows: Row[] = [];
    for (const name of ['xray', 'otlp'] as const) {
      const t = r[name]!;
      const ratio = spread(ratios(t.map((x) => x.rps), u.map((x) => x.rps)));
      const p99 = spread(t.map((x, i) => x.p99 - u[i]!.p99));
      const requests = t.reduce((s, x) => s + x.requests, 0);
      const errors = t.reduce((s, x) => s + x.errors, 0);
      const arrived =
        name === 'xray'
          ? `${after.datagrams! - before.datagrams!} datagrams for ${requests} requests`
          : `${after.otlpRequests! - before.otlpRequests!} OTLP exports (${((after.otlpBytes! - before.otlpBytes!) / 1e6).toFixed(1)} MB) for ${requests} requests`;
      rows.push({
        question: 'tracing cost',
        measure: `archiver read traced (${name}, 100 % sampled) ÷ untraced, req/s`,
        value: `${fmt(ratio)}×`,
        detail: `traced ${fmt(spread(t.map((x) => x.rps)), 0)} req/s vs ${fmt(spread(u.map((x) => x.rps)), 0)}; ${arrived}${errors ? `; ${errors} errors` : ''}`,
        target: '≥ 0.90×',
        verdict: errors === 0 && ratio.median >= 0.9 ? 'met' : 'missed',
      });
      rows.push({
        question: 'tracing cost',
        measure: `p99 added by ${name} tracing`,
        value: fmtSigned(p99, 2, ' ms'),
        detail: `p99 traced ${fmt(spread(t.map((x) => x.p99)), 2, ' ms')} vs ${fmt(spread(u.map((x) => x.p99)), 2, ' ms')}; p50 ${fmt(spread(t.map((x) => x.p50)), 2, ' ms')} vs ${fmt(spread(u.map((x) => x.p50)), 2, ' ms')}`,
        target: '≤ +1 ms',
        verdict: p99.median <= 1 ? 'met' : 'missed',
      });
    }
    if (ctx.profile) {
      await Promise.all([plain.stop(), xray.stop(), otlp.stop()]);
      for (const n of ['untraced', 'xray', 'otlp']) ctx.notes.push(...profileNotes(`archiver (${n})`, join(dir, n)));
    }
    return rows;
  } finally {
    await Promise.all([plain.stop(), xray.stop(), otlp.stop(), sinks.stop()]);
  }
}, { duration: 2 });
