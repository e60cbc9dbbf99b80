/**
 * Question: the ceiling. Bare node:http serving a 10 KiB document from memory: the reference
 * every HTTP ratio is measured against. With wrk installed, autocannon is measured against it
 * too (it saturates first on 2 cores, which is why it is only the fallback).
 */
import { bench, fmt, int, interleave, spread, ratios, type Row } from './lib/bench.ts';
import { loadTool, runLoad, type LoadResult } from './lib/load.ts';
import { startHelper } from './lib/proc.ts';

import { CONNECTIONS } from './lib/load.ts';

await bench('ceiling', async (ctx) => {
  const bare = await startHelper('bare-http', ['--bytes', '10240']);
  try {
    const tool = loadTool();
    const one = (t: 'wrk' | 'autocannon') => () => runLoad({ url: `${bare.url}/doc`, connections: CONNECTIONS, duration: ctx.duration, tool: t });
    if (!ctx.smoke) await runLoad({ url: `${bare.url}/doc`, connections: CONNECTIONS, duration: 1 }); // warm-up
    const variants: Record<string, () => Promise<LoadResult>> = { [tool]: one(tool) };
    if (tool === 'wrk' && !ctx.smoke) variants.autocannon = one('autocannon');
    const r = await interleave(variants, ctx.rounds);
    const main = r[tool]!;
    const rows: Row[] = [
      {
        question: 'ceiling',
        measure: `bare node:http, 10 KiB from memory, ${CONNECTIONS} connections`,
        value: `${fmt(spread(main.map((x) => x.rps)), 0)} req/s`,
        detail: `p50 ${fmt(spread(main.map((x) => x.p50)), 2, ' ms')}, p99 ${fmt(spread(main.map((x) => x.p99)), 2, ' ms')}, ${int(main.reduce((a, x) => a + x.errors, 0))} errors`,
        target: 'reference',
        verdict: 'reference',
      },
    ];
    if (r.autocannon) {
      rows.push({
        question: 'ceiling',
        measure: 'autocannon ÷ wrk on the same server (why wrk)',
        value: `${fmt(spread(ratios(r.autocannon.map((x) => x.rps), main.map((x) => x.rps))))}×`,
        detail: `autocannon ${fmt(spread(r.autocannon.map((x) => x.rps)), 0)} req/s`,
        target: 'info',
        verdict: 'info',
      });
    }
    return rows;
  } finally {
    await bare.stop();
  }
}, { duration: 1 });
