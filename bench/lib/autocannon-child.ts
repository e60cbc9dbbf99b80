/**
 * The autocannon fallback, run in its own process (like wrk) so the harness's event loop
 * never shares a core with the load generator. argv[2]: LoadOptions as JSON; prints LoadResult.
 */
import { randomBytes } from 'node:crypto';
import type { LoadOptions, LoadResult } from './load.ts';

const o = JSON.parse(process.argv[2]!) as LoadOptions;
const name: string = 'autocannon'; // a variable, so the import stays untyped (the package ships no types)
const { default: autocannon } = await import(name);
const seed = randomBytes(4).toString('hex');
let n = 0;
const pad = o.bodyBytes !== undefined ? Buffer.alloc(Math.max(0, o.bodyBytes - 24), 'x') : undefined;
const result = await autocannon({
  url: o.url,
  connections: o.connections,
  duration: o.duration,
  timeout: o.timeout ?? 10,
  method: o.method ?? (pad ? 'POST' : 'GET'),
  headers: o.headers ?? {},
  ...(pad
    ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: Buffer.concat([Buffer.from(`${seed}-${String(++n).padStart(15, '0')}`), pad]) }) }] }
    : {}),
});
const out: LoadResult = {
  tool: 'autocannon',
  requests: result.requests.total,
  rps: result.requests.total / (result.duration || o.duration),
  p50: result.latency.p50,
  p99: result.latency.p99,
  errors: result.non2xx + result.errors + result.timeouts,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
