/**
 * The CPU a tracing setup adds per archiver read, measured inside one process: two archiver
 * apps on one store, one traced and one not, loaded in alternating 1 s rounds with wrk, the
 * process's CPU time per request and the req/s compared round by round. Both apps share the JIT state and
 * the machine's moment, so the difference holds on a loaded machine where whole-process
 * ratios do not. `OTEL_TRACES_SAMPLER=... node bench/lib/ab-inprocess.ts [rounds]`.
 */
import { writeSync } from 'node:fs';
import { buildApp } from '@tfa/archiver/app';
import { openSqliteStore } from '@tfa/archiver/store/sqlite/store';
import { createLogger } from '@tfa/service-kit/logging';
import { setupTracing } from '@tfa/service-tracing/setup';
import { doc10k, store as put } from './archiver.ts';
import { CONNECTIONS, runLoad } from './load.ts';
import { startHelper } from './proc.ts';

const rounds = Number(process.argv[2] ?? 10);
// Counting receivers in a process of their own, as in bench/tracing-cost.ts.
const sinks = await startHelper('sinks');
process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${(await sinks.waitFor('listening')).udp}`;
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sinks.url;
const logger = createLogger('archiver');
const tracing = setupTracing({ serviceName: 'archiver', serviceVersion: '0.1.0', daemonAddress: process.env.AWS_XRAY_DAEMON_ADDRESS ?? '127.0.0.1:2000', logger });
const store = await openSqliteStore(':memory:');
const traced = await buildApp({ store, logger, token: undefined, maxBody: 1 << 20, tracer: tracing.tracer, traceId: tracing.traceId });
const plain = await buildApp({ store, logger, token: undefined, maxBody: 1 << 20 });
const a = await traced.listen({ host: '127.0.0.1', port: 0 });
const b = await plain.listen({ host: '127.0.0.1', port: 0 });
const href = await put(b, doc10k);
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const round = async (url: string) => {
  const before = cpu();
  const r = await runLoad({ url, connections: CONNECTIONS, duration: 1 });
  return { cpu: (cpu() - before) / r.requests, rps: r.rps };
};
await round(a + href);
await round(b + href);
const diffs: number[] = [];
const base: number[] = [];
const ratio: number[] = [];
for (let i = 0; i < rounds; i++) {
  const x = await round(a + href);
  const y = await round(b + href);
  diffs.push(x.cpu - y.cpu);
  base.push(y.cpu);
  ratio.push(x.rps / y.rps);
}
const med = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
writeSync(2, `${process.env.OTEL_TRACES_SAMPLER ?? 'default'} ${process.env.OTEL_TRACES_SAMPLER_ARG ?? ''} exporter=${process.env.OTEL_TRACES_EXPORTER ?? 'xray'}/${process.env.OTEL_EXPORTER_XRAY_PROTOCOL ?? 'segment'}: +${med(diffs).toFixed(1)} µs CPU per request over untraced ${med(base).toFixed(1)} µs [${diffs.map((d) => d.toFixed(1)).join(' ')}]; req/s ratio ${med(ratio).toFixed(2)} (${Math.min(...ratio).toFixed(2)}–${Math.max(...ratio).toFixed(2)})\n`);
await Promise.all([traced.close(), plain.close()]);
await tracing.shutdown();
await sinks.stop();
process.exit(0);
