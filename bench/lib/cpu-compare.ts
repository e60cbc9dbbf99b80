/**
 * A quick A/B tool for tracing work: server CPU µs per request for archiver variants,
 * interleaved rounds, wrk at low concurrency (CPU per request moves less than req/s when
 * neighbours share the cores). `node bench/lib/cpu-compare.ts [rounds] [variants...]`;
 * more variants from `VARIANTS='name:K=V,K=V;name2:K=V'` (an archiver with those variables;
 * one with LOG_LEVEL=warn is polled on /health instead of waiting for its listening line).
 * CONNECTIONS=32 loads as the table's rows do (default 8). Two copies of one variant differ by
 * up to ±3 µs here (±5 µs at 32 connections): compare medians over ≥ 6 rounds.
 */
import { startArchiver, startQuietArchiver, doc10k, store } from './archiver.ts';
import { runLoad } from './load.ts';
import { scratchDir, startHelper, tracedXray, untraced } from './proc.ts';
import { cpuMicros } from './rss.ts';

const rounds = Number(process.argv[2] ?? 5);
const sinks = await startHelper('sinks');
const udpPort = Number((await sinks.waitFor('listening')).udp);
const all: Record<string, NodeJS.ProcessEnv> = {
  untraced,
  sampled5: { ...tracedXray(udpPort), OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' },
  spans: { ...tracedXray(udpPort), OTEL_TRACES_EXPORTER: 'none' },
  xray: tracedXray(udpPort),
  ...extraVariants(process.env.VARIANTS ?? ''),
  xrayOtlp: { ...tracedXray(udpPort), OTEL_EXPORTER_XRAY_PROTOCOL: 'otlp' },
};
/** `name:K=V,K=V;name2:K=V` → {name: {K: V, ...}, ...}. */
function extraVariants(spec: string): Record<string, NodeJS.ProcessEnv> {
  const out: Record<string, NodeJS.ProcessEnv> = {};
  for (const v of spec.split(';').filter(Boolean)) {
    const [name, vars = ''] = v.split(':');
    out[name!] = Object.fromEntries(vars.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  }
  return out;
}
const names = process.argv.length > 3 ? process.argv.slice(3) : Object.keys(all);
const dir = scratchDir();
const servers = await Promise.all(names.map((n) => (all[n]!.LOG_LEVEL === 'warn' ? startQuietArchiver(dir, n, all[n]) : startArchiver(dir, n, { env: all[n] }))));
const urls = await Promise.all(servers.map(async (s) => `${s.url}${await store(s.url, doc10k)}`));
for (const u of urls) await runLoad({ url: u, connections: 8, duration: 1 });
const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < names.length; i++) {
    const before = cpuMicros(servers[i]!.pid);
    const res = await runLoad({ url: urls[i]!, connections: Number(process.env.CONNECTIONS ?? 8), duration: 2 });
    cpu[names[i]!]!.push((cpuMicros(servers[i]!.pid) - before) / res.requests);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
for (const n of names) console.log(`${n.padEnd(10)} ${med(cpu[n]!).toFixed(1)} µs/req (min ${Math.min(...cpu[n]!).toFixed(1)})  [${cpu[n]!.map((x) => x.toFixed(0)).join(' ')}]`);
await Promise.all([...servers.map((s) => s.stop()), sinks.stop()]);
