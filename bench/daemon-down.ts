/**
 * Question: what a dead X-Ray daemon costs. Archiver reads (GET /archive/{id}, 10 KiB) traced
 * at 100 % with the `xray` exporter to a live UDP listener, and to a loopback port where
 * nothing listens (the kernel answers every datagram with ICMP port-unreachable, which a
 * connected UDP socket reports as ECONNREFUSED on the next send); interleaved rounds, paired
 * ratios. Target: req/s ≥ 0.95 × the live daemon's, no errors; CPU per request alongside
 * (it moves less than req/s on a shared machine).
 */
import { startArchiver, doc10k, store } from './lib/archiver.ts';
import { bench, fmt, interleave, ratios, spread, type Row } from './lib/bench.ts';
import { CONNECTIONS, runLoad } from './lib/load.ts';
import { scratchDir, startHelper, tracedXray } from './lib/proc.ts';
import { cpuMicros } from './lib/rss.ts';
import { freeUdpPort } from '@tfa/test-helpers/ports';

await bench('daemon down', async (ctx) => {
  const dir = scratchDir();
  const sinks = await startHelper('sinks');
  const udpPort = Number((await sinks.waitFor('listening')).udp);
  const closedPort = await freeUdpPort();
  const [live, down] = await Promise.all([
    startArchiver(dir, 'daemon-live', { env: tracedXray(udpPort) }),
    startArchiver(dir, 'daemon-down', { env: tracedXray(closedPort) }),
  ]);
  try {
    const urls = { live: `${live.url}${await store(live.url, doc10k)}`, down: `${down.url}${await store(down.url, doc10k)}` };
    const metered = (url: string, pid: number) => async () => {
      const before = cpuMicros(pid);
      const result = await runLoad({ url, connections: CONNECTIONS, duration: ctx.duration });
      return { ...result, cpu: (cpuMicros(pid) - before) / Math.max(1, result.requests) };
    };
    if (!ctx.smoke) for (const u of Object.values(urls)) await runLoad({ url: u, connections: CONNECTIONS, duration: 1 }); // warm-up
    const r = await interleave({ live: metered(urls.live, live.pid), down: metered(urls.down, down.pid) }, ctx.rounds);
    const l = r.live!;
    const d = r.down!;
    const ratio = spread(ratios(d.map((x) => x.rps), l.map((x) => x.rps)));
    const cpuRatio = spread(ratios(d.map((x) => x.cpu), l.map((x) => x.cpu)));
    const errors = d.reduce((s, x) => s + x.errors, 0);
    const rows: Row[] = [
      {
        question: 'daemon down',
        measure: 'archiver read, xray exporter to a closed UDP port (ICMP port-unreachable) ÷ to a live daemon, req/s',
        value: `${fmt(ratio)}×`,
        detail: `${fmt(spread(d.map((x) => x.rps)), 0)} req/s vs ${fmt(spread(l.map((x) => x.rps)), 0)}; ${errors} errors in ${d.reduce((s, x) => s + x.requests, 0)} requests`,
        target: '≥ 0.95×',
        verdict: errors === 0 && ratio.median >= 0.95 ? 'met' : 'missed',
      },
      {
        question: 'daemon down',
        measure: 'archiver CPU per request, daemon down ÷ live',
        value: `${fmt(cpuRatio)}×`,
        detail: `${fmt(spread(d.map((x) => x.cpu)), 0)} µs vs ${fmt(spread(l.map((x) => x.cpu)), 0)} µs per request`,
        target: 'info',
        verdict: 'info',
      },
    ];
    return rows;
  } finally {
    await Promise.all([live.stop(), down.stop(), sinks.stop()]);
  }
}, { duration: 1 });
