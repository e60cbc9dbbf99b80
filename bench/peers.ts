/**
 * Question: what tracing costs here against its peers. The same handler (10 KiB from memory,
 * bench/peers/handler.ts) traced by each peer in its usual setup, each against its own
 * untraced baseline (bare node:http, Fastify 5, our Fastify base), interleaved rounds:
 * added CPU µs per request (user + system of the server and of the listener its spans go to,
 * from /proc) and the throughput ratio, paired per round. Then ours ÷ the best peer.
 * Peer setups: bench/lib/peers.ts; their packages: bench/peers/<name>/package.json.
 */
import { bench, fmt, fmtSigned, int, interleave, ratios, spread, sleep, type Row } from './lib/bench.ts';
import { CONNECTIONS, runLoad } from './lib/load.ts';
import { missingPeers, sinkCounts, startVariant, VARIANTS, type Running } from './lib/peers.ts';
import { cpuMicros } from './lib/rss.ts';

interface Sample {
  rps: number;
  /** CPU µs per answered request, server + listener. */
  cpu: number;
  errors: number;
}

await bench('peers', async (ctx) => {
  const missing = missingPeers();
  if (missing.length) throw new Error(`bench/peers/{${missing.join(',')}} not installed: run \`npm ci\` at the root (its prepare step installs them)`);
  const running: Running[] = [];
  try {
    // A smoke run proves the script works with one peer and ours (test/bench/peers.test.ts starts every variant).
    const chosen = ctx.smoke ? VARIANTS.filter((v) => v.name.startsWith('node:http untraced') || v.name.includes('aws-xray-sdk') || v.name.startsWith('ours untraced') || v.name.startsWith('ours, xray')) : VARIANTS;
    const started = await Promise.allSettled(chosen.map((v) => startVariant(v)));
    for (const s of started) if (s.status === 'fulfilled') running.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const pids = (r: Running) => [r.server.pid, ...(r.sink ? [r.sink.pid] : [])];
    const measure = (r: Running, duration: number) => async (): Promise<Sample> => {
      const before = pids(r).reduce((s, p) => s + cpuMicros(p), 0);
      const l = await runLoad({ url: r.url, connections: CONNECTIONS, duration });
      await sleep(150); // the listener takes what is still in flight
      const after = pids(r).reduce((s, p) => s + cpuMicros(p), 0);
      return { rps: l.rps, cpu: (after - before) / Math.max(1, l.requests), errors: l.errors };
    };
    if (!ctx.smoke) for (const r of running) await measure(r, 0.5)(); // warm-up (JIT, connections, first batches)
    const res = await interleave(Object.fromEntries(running.map((r) => [r.variant.name, measure(r, ctx.duration)])), ctx.rounds);
    const rows: Row[] = [];
    const added: Record<string, number> = {};
    for (const r of running) {
      const v = r.variant;
      const s = res[v.name]!;
      const errors = s.reduce((a, x) => a + x.errors, 0);
      if (!v.base) {
        rows.push({ question: 'peers', measure: `${v.name}: CPU per request (server)`, value: `${fmt(spread(s.map((x) => x.cpu)), 1, ' µs')}`, detail: `${fmt(spread(s.map((x) => x.rps)), 0)} req/s${errors ? `; ${errors} errors` : ''}`, target: 'baseline', verdict: 'reference' });
        continue;
      }
      const b = res[v.base]!;
      const cpu = spread(s.map((x, i) => x.cpu - b[i]!.cpu));
      added[v.name] = cpu.median;
      const counts = await sinkCounts(r);
      const got = counts ? `; listener got ${int(counts.datagrams)} datagrams, ${int(counts.otlpRequests)} OTLP requests` : '';
      rows.push({
        question: 'peers',
        measure: `${v.name}: added CPU per request, all threads + listener`,
        value: fmtSigned(cpu, 1, ' µs'),
        detail: `req/s ${fmt(spread(ratios(s.map((x) => x.rps), b.map((x) => x.rps))))}× untraced (${fmt(spread(s.map((x) => x.rps)), 0)} req/s)${got}${errors ? `; ${errors} errors` : ''}`,
        target: 'info',
        verdict: errors ? 'error' : 'info',
      });
    }
    // Ours ÷ the best peer, export against export and no-export against no-export.
    const pick = (ours: boolean, exporting: boolean) =>
      chosen.filter((v) => !!v.ours === ours && (ours || v.peer) && (v.sink !== 'none') === exporting && v.name in added).map((v) => ({ name: v.name, cpu: added[v.name]! }));
    for (const exporting of [true, false]) {
      const peers = pick(false, exporting).sort((a, b) => a.cpu - b.cpu);
      const best = peers[0];
      for (const o of pick(true, exporting)) {
        if (!best) continue;
        const q = o.cpu / best.cpu;
        rows.push({
          question: 'peers',
          measure: `added CPU per request, ${o.name} ÷ best peer ${exporting ? 'exporting' : 'not exporting'}`,
          value: `${q.toFixed(2)}×`,
          detail: `${o.cpu.toFixed(1)} µs against ${best.cpu.toFixed(1)} µs (${best.name})`,
          target: '≤ 0.33×',
          verdict: q <= 1 / 3 ? 'met' : 'missed',
        });
      }
    }
    return rows;
  } finally {
    await Promise.all(running.map((r) => r.stop()));
  }
}, { duration: 1 });
