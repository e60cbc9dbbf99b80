/**
 * Question: archiver read. GET /archive/{id} of a 10 KiB document (untraced) against the
 * ceiling (bare node:http serving 10 KiB from memory), interleaved rounds, paired ratios.
 * Target ≥ 0.60 × ceiling. The same archiver with LOG_LEVEL=warn (no request log line) says
 * what the default `info` request line costs: target info ÷ warn ≥ 0.85.
 */
import { startArchiver, startQuietArchiver, doc10k, store } from './lib/archiver.ts';
import { bench, fmt, interleave, ratios, spread, type Row } from './lib/bench.ts';
import { CONNECTIONS, runLoad } from './lib/load.ts';
import { scratchDir, startHelper } from './lib/proc.ts';
import { cpuProfArgs, profileNotes } from './lib/profile.ts';


await bench('archiver read', async (ctx) => {
  const dir = scratchDir();
  const bare = await startHelper('bare-http', ['--bytes', '10240']);
  const archiver = await startArchiver(dir, 'archiver', { nodeArgs: ctx.profile ? cpuProfArgs(dir) : [] });
  const quiet = await startQuietArchiver(dir, 'archiver-warn');
  try {
    const href = await store(archiver.url, doc10k);
    const quietHref = await store(quiet.url, doc10k);
    const urls = { ceiling: `${bare.url}/doc`, archiver: `${archiver.url}${href}`, quiet: `${quiet.url}${quietHref}` };
    const load = (url: string, duration = ctx.duration) => () => runLoad({ url, connections: CONNECTIONS, duration });
    if (!ctx.smoke) await load(urls.ceiling, 1)(), await load(urls.archiver, 1)(), await load(urls.quiet, 1)(); // warm-up
    const r = await interleave({ ceiling: load(urls.ceiling), archiver: load(urls.archiver), quiet: load(urls.quiet) }, ctx.rounds);
    const logRatio = spread(ratios(r.archiver!.map((x) => x.rps), r.quiet!.map((x) => x.rps)));
    const ratio = spread(ratios(r.archiver!.map((x) => x.rps), r.ceiling!.map((x) => x.rps)));
    const a = r.archiver!;
    const errors = a.reduce((s, x) => s + x.errors, 0);
    const rows: Row[] = [
      {
        question: 'archiver read',
        measure: `GET /archive/{id} 10 KiB, untraced ÷ ceiling, req/s`,
        value: `${fmt(ratio)}×`,
        detail: `archiver ${fmt(spread(a.map((x) => x.rps)), 0)} req/s, p50 ${fmt(spread(a.map((x) => x.p50)), 2, ' ms')}, p99 ${fmt(spread(a.map((x) => x.p99)), 2, ' ms')}; ceiling ${fmt(spread(r.ceiling!.map((x) => x.rps)), 0)} req/s${errors ? `; ${errors} errors` : ''}`,
        target: '≥ 0.60×',
        verdict: errors === 0 && ratio.median >= 0.6 ? 'met' : 'missed',
      },
      {
        question: 'archiver read',
        measure: 'untraced, default `info` logs (a request line each) ÷ LOG_LEVEL=warn, req/s',
        value: `${fmt(logRatio)}×`,
        detail: `warn ${fmt(spread(r.quiet!.map((x) => x.rps)), 0)} req/s`,
        target: '≥ 0.85×',
        verdict: errors === 0 && logRatio.median >= 0.85 ? 'met' : 'missed',
      },
    ];
    if (ctx.profile) {
      await archiver.stop();
      ctx.notes.push(...profileNotes('archiver', dir));
    }
    return rows;
  } finally {
    await Promise.all([bare.stop(), archiver.stop(), quiet.stop()]);
  }
});
