/**
 * The peers of bench/peers.ts: which server each variant runs, which untraced baseline it is
 * measured against, and where its spans go. Each peer's packages live in their own
 * bench/peers/<name>/ with their own package.json and lockfile (installed by `npm ci` at the
 * root, see scripts/install-peers.ts): the stock OpenTelemetry JS 2.x and ADOT's 1.x line
 * would otherwise meet the project's 3.x SDK in one node_modules.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, spawnNode, startHelper, untraced, type Proc, type Server } from './proc.ts';

/** Directories under bench/peers/ holding a package.json of their own. */
export const PEER_PACKAGES = ['otel', 'adot', 'xray'] as const;

/** What a variant exports to: nothing, an OTLP/HTTP receiver, or a UDP listener. */
export type Sink = 'none' | 'otlp' | 'udp';

export interface Variant {
  name: string;
  /** The variant whose numbers this one is compared with (its untraced self); none for a baseline. */
  base?: string;
  /** Script under bench/peers/. */
  script: string;
  sink: Sink;
  args?: (sink: { url: string; udp: number }) => string[];
  env?: (sink: { url: string; udp: number }) => NodeJS.ProcessEnv;
  /** Counts as a peer for "ours ÷ best peer" (its export variants). */
  peer?: boolean;
  ours?: boolean;
}

const ourEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ LOG_LEVEL: 'warn', OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'always_on', OTEL_PROPAGATORS: 'tracecontext,xray', ...extra });

export const VARIANTS: Variant[] = [
  { name: 'node:http untraced', script: 'otel/http.ts', sink: 'none', args: () => ['--mode', 'off'] },
  { name: 'node:http + OTel 2.x instrumentation-http, no export', base: 'node:http untraced', script: 'otel/http.ts', sink: 'none', args: () => ['--mode', 'none'], peer: true },
  { name: 'node:http + OTel 2.x instrumentation-http, BSP + OTLP/HTTP', base: 'node:http untraced', script: 'otel/http.ts', sink: 'otlp', args: (s) => ['--mode', 'otlp', '--otlp', s.url], peer: true },
  { name: 'node:http + aws-xray-sdk-core 3.12, UDP', base: 'node:http untraced', script: 'xray/http.ts', sink: 'udp', args: (s) => ['--mode', 'udp', '--udp', String(s.udp)], peer: true },
  { name: 'node:http + OTel 1.30 + ADOT xray-udp exporter', base: 'node:http untraced', script: 'adot/http.ts', sink: 'udp', args: (s) => ['--mode', 'udp', '--udp', String(s.udp)], peer: true },
  { name: 'Fastify 5 untraced', script: 'otel/fastify.ts', sink: 'none', args: () => ['--mode', 'off'] },
  { name: 'Fastify 5 + @fastify/otel, no export', base: 'Fastify 5 untraced', script: 'otel/fastify.ts', sink: 'none', args: () => ['--mode', 'none'], peer: true },
  { name: 'Fastify 5 + @fastify/otel, BSP + OTLP/HTTP', base: 'Fastify 5 untraced', script: 'otel/fastify.ts', sink: 'otlp', args: (s) => ['--mode', 'otlp', '--otlp', s.url], peer: true },
  { name: 'ours untraced (our Fastify base)', script: 'ours.ts', sink: 'none', env: () => ({ ...untraced, LOG_LEVEL: 'warn' }) },
  { name: 'ours, no export', base: 'ours untraced (our Fastify base)', script: 'ours.ts', sink: 'none', env: () => ourEnv({ OTEL_TRACES_EXPORTER: 'none' }), ours: true },
  { name: 'ours, xray (UDP)', base: 'ours untraced (our Fastify base)', script: 'ours.ts', sink: 'udp', env: (s) => ourEnv({ OTEL_TRACES_EXPORTER: 'xray', AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${s.udp}` }), ours: true },
  { name: 'ours, otlp', base: 'ours untraced (our Fastify base)', script: 'ours.ts', sink: 'otlp', env: (s) => ourEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: s.url }), ours: true },
];

/** A started variant: its server, and the sink of its own (so the listener's CPU is its own). */
export interface Running {
  variant: Variant;
  server: Server;
  sink?: Server;
  url: string;
  stop(): Promise<void>;
}

/** Says what is missing when a peer package was not installed. */
export function missingPeers(): string[] {
  return PEER_PACKAGES.filter((p) => !existsSync(join(root, 'bench', 'peers', p, 'node_modules')));
}

const slug = (name: string) => name.replace(/[^A-Za-z0-9.]+/g, '-');

/** Starts one variant (and its sink). */
export async function startVariant(v: Variant): Promise<Running> {
  let sink: Server | undefined;
  let where = { url: '', udp: 0 };
  if (v.sink !== 'none') {
    sink = await startHelper('sinks', [], { name: `sink-${slug(v.name)}` });
    where = { url: sink.url, udp: Number((await sink.waitFor('listening')).udp) };
  }
  const p: Proc = spawnNode(slug(v.name), join(root, 'bench', 'peers', v.script), v.args?.(where) ?? [], { env: v.env?.(where) ?? {} });
  try {
    const line = await p.waitFor('listening', 60_000);
    const url = line.address as string;
    const server = Object.assign(p, { url, port: Number(new URL(url).port) });
    return { variant: v, server, sink, url: `${url}/doc`, stop: async () => void (await Promise.all([server.stop(), sink?.stop()])) };
  } catch (err) {
    await Promise.all([p.stop('SIGKILL'), sink?.stop()]);
    throw err;
  }
}

/** What a variant's sink received (datagrams, OTLP requests), from GET /counts. */
export async function sinkCounts(r: Running): Promise<{ datagrams: number; otlpRequests: number } | undefined> {
  if (!r.sink) return undefined;
  const res = await fetch(`${r.sink.url}/counts`, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as { datagrams: number; otlpRequests: number };
}
