/**
 * Question: the cost of tracing (issue 14's targets). Archiver reads (GET /archive/{id},
 * 10 KiB) against the same archiver untraced, interleaved rounds, paired ratios:
 * - 5 % sampled (traceidratio 0.05), xray segments: ≥ 0.93× (an unsampled request ≤ 2 µs);
 * - 100 %, spans made, none exported (OTEL_TRACES_EXPORTER=none): ≥ 0.85×;
 * - 100 %, xray to trace-console (ADOT T1S framing, the `npm start` default): ≥ 0.80×;
 * - 100 %, classic one segment document per datagram (any X-Ray daemon): ≥ 0.70×;
 * - 100 %, otlp (OTLP/HTTP protobuf): ≥ 0.80×.
 * Both xray variants and the OTLP one send to counting listeners (bench/servers/sinks.ts),
 * so the receiver's own ingest work is not charged to the service. Also the floor of the
 * daemon protocol on this machine: bare node:http sending one 600-byte datagram per request
 * to the same listener ÷ bare node:http.
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
  // Each datagram-sending variant has a listener of its own, so its counts stay exact.
  const consoleSink = await startHelper('sinks', [], { name: 'sinks-console' });
  const consolePort = Number((await consoleSink.waitFor('listening')).udp);
  const floorSink = await startHelper('sinks', [], { name: 'sinks-floor' });
  const floorPort = Number((await floorSink.waitFor('listening')).udp);
  const profDir = (name: string) => (ctx.profile ? (mkdirSync(join(dir, name), { recursive: true }), cpuProfArgs(join(dir, name))) : []);
  const [plain, sampled, spans, consoleT1s, classic, otlp, bare, bareUdp] = await Promise.all([
    startArchiver(dir, 'untraced', { env: untraced, nodeArgs: profDir('untraced') }),
    // What most deployments run: X-Ray's default rule samples 1 request/s + 5 %.
    startArchiver(dir, 'sampled', { env: { ...tracedXray(floorPort), OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' }, nodeArgs: profDir('sampled') }),
    startArchiver(dir, 'spans', { env: { ...tracedXray(udpPort), OTEL_TRACES_EXPORTER: 'none' }, nodeArgs: profDir('spans') }),
    startArchiver(dir, 'console', { env: { ...tracedXray(consolePort), OTEL_EXPORTER_XRAY_PROTOCOL: 'otlp' }, nodeArgs: profDir('console') }),
    startArchiver(dir, 'classic', { env: { ...tracedXray(udpPort), OTEL_EXPORTER_XRAY_PROTOCOL: 'segment' }, nodeArgs: profDir('classic') }),
    startArchiver(dir, 'otlp', { env: tracedOtlp(sinks.url), nodeArgs: profDir('otlp') }),
    startHelper('bare-http'),
    startHelper('bare-http', ['--datagram-to', String(floorPort)], { name: 'bare-http+udp' }),
  ]);
  const archivers = { untraced: plain, sampled, spans, console: consoleT1s, classic, otlp };
  try {
    const urls: Record<string, string> = { bare: bare.url, bareUdp: bareUdp.url };
    for (const [name, a] of Object.entries(archivers)) urls[name] = `${a.url}${await store(a.url, doc10k)}`;
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
    const counts = async (p: { url: string }) => (await (await fetch(`${p.url}/counts`)).json()) as Record<string, number>;
    const before = { sinks: await counts(sinks), console: await counts(consoleSink) };
    const r = await interleave(
      {
        untraced: metered(urls.untraced!, [plain.pid, sinks.pid]),
        sampled: metered(urls.sampled!, [sampled.pid, floorSink.pid]),
        spans: metered(urls.spans!, [spans.pid, sinks.pid]),
        console: metered(urls.console!, [consoleT1s.pid, consoleSink.pid]),
        classic: metered(urls.classic!, [classic.pid, sinks.pid]),
        otlp: metered(urls.otlp!, [otlp.pid, sinks.pid]),
        bare: metered(urls.bare!, [bare.pid, floorSink.pid]),
        bareUdp: metered(urls.bareUdp!, [bareUdp.pid, floorSink.pid]),
      },
      ctx.rounds,
    );
    await new Promise((res) => setTimeout(res, ctx.smoke ? 300 : 1500)); // let the exporters' last batches leave
    const after = { sinks: await counts(sinks), console: await counts(consoleSink) };
    const u = r.untraced!;
    const rows: Row[] = [];
    // Wall-clock µs a request costs at saturation (both cores shared by the load generator,
    // the server and the listener), and what a variant adds to it, paired per round.
    const addedUs = (t: { rps: number }[], b: { rps: number }[]) => spread(t.map((x, i) => 1e6 / x.rps - 1e6 / b[i]!.rps));
    const floorUs = addedUs(r.bareUdp!, r.bare!);
    // CPU µs per request: [server, listener], median over rounds.
    const cpu = (v: { cpu: number[] }[], i: number) => spread(v.map((x) => x.cpu[i]!));
    const cpuNote = (v: { cpu: number[] }[], base: { cpu: number[] }[]) =>
      `CPU per request ${fmt(cpu(v, 0), 0)} µs vs ${fmt(cpu(base, 0), 0)} µs untraced (+${fmt(spread(v.map((x, i) => x.cpu[0]! - base[i]!.cpu[0]!)), 1)} µs; ${fmt(spread(v.map((x, i) => base[i]!.cpu[0]! / x.cpu[0]!)))}× as many requests per CPU second), listener ${fmt(cpu(v, 1), 0)} µs`;
    const requestsOf = (t: { requests: number }[]) => t.reduce((s, x) => s + x.requests, 0);
    const variants: { key: string; measure: string; target: number; arrived: () => string }[] = [
      { key: 'sampled', measure: 'xray, 5 % sampled (traceidratio 0.05), segment documents', target: 0.93, arrived: () => 'an unsampled request should cost ≤ 2 µs' },
      { key: 'spans', measure: '100 %, spans made but not exported (OTEL_TRACES_EXPORTER=none)', target: 0.85, arrived: () => 'the instrumentation alone' },
      {
        key: 'console',
        measure: 'xray to trace-console, 100 %, ADOT T1S framing (OTEL_EXPORTER_XRAY_PROTOCOL=otlp, the npm start default)',
        target: 0.8,
        arrived: () => `${after.console.datagrams! - before.console.datagrams!} datagrams for ${requestsOf(r.console!)} requests`,
      },
      {
        key: 'classic',
        measure: 'xray, 100 %, classic one segment document per datagram (OTEL_EXPORTER_XRAY_PROTOCOL=segment, any X-Ray daemon)',
        target: 0.7,
        arrived: () => `${after.sinks.datagrams! - before.sinks.datagrams!} datagrams for ${requestsOf(r.classic!)} requests`,
      },
      {
        key: 'otlp',
        measure: 'otlp (OTLP/HTTP protobuf), 100 %',
        target: 0.8,
        arrived: () => `${after.sinks.otlpRequests! - before.sinks.otlpRequests!} OTLP exports (${((after.sinks.otlpBytes! - before.sinks.otlpBytes!) / 1e6).toFixed(1)} MB) for ${requestsOf(r.otlp!)} requests`,
      },
    ];
    for (const v of variants) {
      const t = r[v.key]!;
      const ratio = spread(ratios(t.map((x) => x.rps), u.map((x) => x.rps)));
      const errors = t.reduce((s, x) => s + x.errors, 0);
      rows.push({
        question: 'tracing cost',
        measure: `archiver read traced (${v.measure}) ÷ untraced, req/s`,
        value: `${fmt(ratio)}×`,
        detail: `${fmt(spread(t.map((x) => x.rps)), 0)} req/s vs ${fmt(spread(u.map((x) => x.rps)), 0)}, +${fmt(addedUs(t, u), 1)} µs per request; ${cpuNote(t, u)}; ${v.arrived()}${errors ? `; ${errors} errors` : ''}`,
        target: `≥ ${v.target.toFixed(2)}×`,
        verdict: errors === 0 && ratio.median >= v.target ? 'met' : 'missed',
      });
    }
    for (const name of ['classic', 'otlp'] as const) {
      const t = r[name]!;
      const p99 = spread(t.map((x, i) => x.p99 - u[i]!.p99));
      rows.push({
        question: 'tracing cost',
        measure: `p99 added by ${name === 'classic' ? 'xray (segment documents)' : 'otlp'} tracing`,
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
      await Promise.all(Object.values(archivers).map((a) => a.stop()));
      for (const n of Object.keys(archivers)) ctx.notes.push(...profileNotes(`archiver (${n})`, join(dir, n)));
    }
    return rows;
  } finally {
    await Promise.all([...Object.values(archivers).map((a) => a.stop()), bare.stop(), bareUdp.stop(), sinks.stop(), consoleSink.stop(), floorSink.stop()]);
  }
}, { duration: 1 });
