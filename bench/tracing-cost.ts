/**
 * Question: the cost of tracing. Archiver reads (GET /archive/{id}, 10 KiB) traced at 100 %
 * with the `xray` exporter to a live UDP listener, and with `otlp` to a local OTLP/HTTP
 * receiver, each against the same archiver untraced; interleaved rounds, paired ratios.
 * Targets: req/s ≥ 0.90 × untraced; p99 within +1 ms.
 * More variants say where the cost is: the archiver with spans made but not exported
 * (OTEL_TRACES_EXPORTER=none), the archiver at 5 % sampling (what X-Ray's default rule
 * amounts to under load), and the floor of the daemon protocol on this machine, bare
 * node:http sending one 600-byte datagram per request to the same listener ÷ bare node:http.
 */
import { startArchiver, doc10k, store } from './lib/archiver.ts';
import { bench, fmt, fmtSigned, interleave, ratios, spread, type Row } from './lib/bench.ts';
import { CONNECTIONS, runLoad } from './lib/load.ts';
import { scratchDir, startHelper, tracedOtlp, tracedXray, untraced } from './lib/proc.ts';
import { cpuProfArgs, profileNotes } from './lib/profile.ts';
import { cpuMicros } from './lib/rss.ts';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

await bench('tracing cost', async (ctx) => {
  const dir = scratchDir();
  const sinks = await startHelper('sinks');
  const udpPort = Number((await sinks.waitFor('listening')).udp);
  // The floor's (and the 5 % variant's) datagrams go to a listener of their own, so the xray counts stay exact.
  const floorSink = await startHelper('sinks', [], { name: 'sinks-floor' });
  const floorPort = Number((await floorSink.waitFor('listening')).udp);
  const profDir = (name: string) => (ctx.profile ? (mkdirSync(join(dir, name), { recursive: true }), cpuProfArgs(join(dir, name))) : []);
  const [plain, xray, otlp, spans, sampled, bare, bareUdp] = await Promise.all([
    startArchiver(dir, 'untraced', { env: untraced, nodeArgs: profDir('untraced') }),
    startArchiver(dir, 'xray', { env: tracedXray(udpPort), nodeArgs: profDir('xray') }),
    startArchiver(dir, 'otlp', { env: tracedOtlp(sinks.url), nodeArgs: profDir('otlp') }),
    startArchiver(dir, 'spans', { env: { ...tracedXray(udpPort), OTEL_TRACES_EXPORTER: 'none' } }),
    // What most deployments run: X-Ray's default rule samples 1 request/s + 5 %.
    // Its datagrams go to the floor's listener (idle while it runs), so the xray row's counts stay exact.
    startArchiver(dir, 'sampled', { env: { ...tracedXray(floorPort), OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' } }),
    startHelper('bare-http'),
    startHelper('bare-http', ['--datagram-to', String(floorPort)], { name: 'bare-http+udp' }),
  ]);
  try {
    const urls = {
      untraced: `${plain.url}${await store(plain.url, doc10k)}`,
      xray: `${xray.url}${await store(xray.url, doc10k)}`,
      otlp: `${otlp.url}${await store(otlp.url, doc10k)}`,
      spans: `${spans.url}${await store(spans.url, doc10k)}`,
      sampled: `${sampled.url}${await store(sampled.url, doc10k)}`,
      bare: bare.url,
      bareUdp: bareUdp.url,
    };
    const load = (url: string, duration = ctx.duration) => () => runLoad({ url, connections: CONNECTIONS, duration });
    // Also the CPU each process spent per request: unlike req/s, it hardly moves when a
    // neighbour takes the machine's cores for a while.
    const metered = (url: string, pids: number[]) => async () => {
      const before = pids.map(cpuMicros);
      const result = await load(url)();
      const cpu = pids.map((pid, i) => (cpuMicros(pid) - before[i]!) / Math.max(1, result.requests));
      return { ...result, cpu };
    };
    if (!ctx.smoke) for (const u of Object.values(urls)) await load(u, 1)(); // warm-up
    const before = (await (await fetch(`${sinks.url}/counts`)).json()) as Record<string, number>;
    const r = await interleave(
      {
        untraced: metered(urls.untraced, [plain.pid, sinks.pid]),
        xray: metered(urls.xray, [xray.pid, sinks.pid]),
        otlp: metered(urls.otlp, [otlp.pid, sinks.pid]),
        spans: metered(urls.spans, [spans.pid, sinks.pid]),
        sampled: metered(urls.sampled, [sampled.pid, floorSink.pid]),
        bare: metered(urls.bare, [bare.pid, floorSink.pid]),
        bareUdp: metered(urls.bareUdp, [bareUdp.pid, floorSink.pid]),
      },
      ctx.rounds,
    );
    await new Promise((res) => setTimeout(res, ctx.smoke ? 300 : 1500)); // let the exporters' last batches leave
    const after = (await (await fetch(`${sinks.url}/counts`)).json()) as Record<string, number>;
    const u = r.untraced!;
    const rows: Row[] = [];
    // Wall-clock µs a request costs at saturation (both cores shared by the load generator,
    // the server and the listener), and what a variant adds to it, paired per round.
    const addedUs = (t: { rps: number }[], b: { rps: number }[]) => spread(t.map((x, i) => 1e6 / x.rps - 1e6 / b[i]!.rps));
    const floorUs = addedUs(r.bareUdp!, r.bare!);
    // CPU µs per request: [server, listener], median over rounds.
    const cpu = (v: { cpu: number[] }[], i: number) => spread(v.map((x) => x.cpu[i]!));
    const cpuNote = (v: { cpu: number[] }[], base: { cpu: number[] }[]) =>
      `CPU per request ${fmt(cpu(v, 0), 0)} µs vs ${fmt(cpu(base, 0), 0)} µs untraced (${fmt(spread(v.map((x, i) => base[i]!.cpu[0]! / x.cpu[0]!)))}× as many requests per CPU second), listener ${fmt(cpu(v, 1), 0)} µs`;
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
        detail: `traced ${fmt(spread(t.map((x) => x.rps)), 0)} req/s vs ${fmt(spread(u.map((x) => x.rps)), 0)}, +${fmt(addedUs(t, u), 1)} µs per request; ${cpuNote(t, u)}; ${arrived}${errors ? `; ${errors} errors` : ''}`,
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
    const info = (measure: string, t: { rps: number }[], b: { rps: number }[], detail: string): Row => ({
      question: 'tracing cost',
      measure,
      value: `${fmt(spread(ratios(t.map((x) => x.rps), b.map((x) => x.rps))))}×`,
      detail: `${fmt(spread(t.map((x) => x.rps)), 0)} req/s vs ${fmt(spread(b.map((x) => x.rps)), 0)}; ${detail}`,
      target: 'info',
      verdict: 'info',
    });
    rows.push(info('archiver read with spans made but not exported (OTEL_TRACES_EXPORTER=none) ÷ untraced, req/s', r.spans!, u, `the instrumentation alone: +${fmt(addedUs(r.spans!, u), 1)} µs per request; ${cpuNote(r.spans!, u)}`));
    rows.push(info('archiver read traced (xray, 5 % sampled: traceidratio 0.05) ÷ untraced, req/s', r.sampled!, u, `+${fmt(addedUs(r.sampled!, u), 1)} µs per request; ${cpuNote(r.sampled!, u)}`));
    // The best any exporter that sends one datagram per request could do for this archiver: its own request time plus the floor's.
    const best = spread(u.map((x, i) => 1e6 / x.rps / (1e6 / x.rps + 1e6 / r.bareUdp![i]!.rps - 1e6 / r.bare![i]!.rps)));
    rows.push(
      info(
        'floor: bare node:http + one 600-byte datagram per request ÷ bare node:http, req/s',
        r.bareUdp!,
        r.bare!,
        `one sendto per request (the daemon protocol), listener included, costs +${fmt(floorUs, 1)} µs per request on this machine (server CPU ${fmt(cpu(r.bareUdp!, 0), 0)} µs vs ${fmt(cpu(r.bare!, 0), 0)} per request, listener ${fmt(cpu(r.bareUdp!, 1), 0)} µs); added to the untraced archiver's own time that caps any X-Ray daemon exporter at ${fmt(best)}× here`,
      ),
    );
    if (ctx.profile) {
      await Promise.all([plain.stop(), xray.stop(), otlp.stop()]);
      for (const n of ['untraced', 'xray', 'otlp']) ctx.notes.push(...profileNotes(`archiver (${n})`, join(dir, n)));
    }
    return rows;
  } finally {
    await Promise.all([plain.stop(), xray.stop(), otlp.stop(), spans.stop(), sampled.stop(), bare.stop(), bareUdp.stop(), sinks.stop(), floorSink.stop()]);
  }
}, { duration: 2 });
