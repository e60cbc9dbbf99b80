/**
 * Question: the fetch pipeline. GET /fetch/{url} of a 10 KiB loopback page (fetcher GETs it,
 * streams it into the archiver, which commits it durably) against GETting the page directly,
 * one client at a time so p50 is the latency a caller sees, not queueing. Untraced is the
 * target row; traced (xray to a UDP listener) is shown next to it. The floor of the same
 * three hops on this machine is measured too: a bare node:http + undici fetcher in front of
 * a bare node:http + node:sqlite store (bench/servers/bare-fetcher.ts), with nothing else.
 * Target: adds ≤ 1 ms at p50.
 */
import { startArchiver } from './lib/archiver.ts';
import { bench, fmt, fmtSigned, interleave, spread, type Row } from './lib/bench.ts';
import { startFetcher } from './lib/fetcher.ts';
import { runLoad } from './lib/load.ts';
import { scratchDir, startHelper, tracedXray } from './lib/proc.ts';
import { cpuProfArgs, profileNotes } from './lib/profile.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

await bench('fetch pipeline', async (ctx) => {
  const dir = scratchDir();
  const prof = (name: string) => (ctx.profile ? (mkdirSync(join(dir, name), { recursive: true }), cpuProfArgs(join(dir, name))) : []);
  const [page, sinks, commit] = await Promise.all([startHelper('page'), startHelper('sinks'), startHelper('sqlite-http', ['--db', join(dir, 'commit.db')])]);
  const udpPort = Number((await sinks.waitFor('listening')).udp);
  const bareStore = await startHelper('sqlite-http', ['--db', join(dir, 'bare.db')], { name: 'bare-store' });
  const bare = await startHelper('bare-fetcher', ['--archive', bareStore.url]);
  const [archiver, archiverT] = await Promise.all([
    startArchiver(dir, 'archiver', { nodeArgs: prof('archiver') }),
    startArchiver(dir, 'archiver-traced', { env: tracedXray(udpPort) }),
  ]);
  const [fetcher, fetcherT] = await Promise.all([
    startFetcher(archiver.url, page.port, { nodeArgs: prof('fetcher') }),
    startFetcher(archiverT.url, page.port, { env: tracedXray(udpPort), name: 'fetcher-traced' }),
  ]);
  try {
    const target = `${page.url}/page`;
    const urls = { direct: target, fetch: `${fetcher.url}/fetch/${target}`, traced: `${fetcherT.url}/fetch/${target}`, bare: `${bare.url}/fetch/${encodeURIComponent(target)}` };
    const load = (url: string, duration = ctx.duration) => () => runLoad({ url, connections: 1, duration });
    if (!ctx.smoke) await load(urls.fetch, 1)(), await load(urls.traced, 1)(); // warm-up
    // The floor under any durable archive: one fsync'd SQLite commit of 10 KiB (bare node:http + node:sqlite, WAL, FULL).
    const commitLoad = (duration = ctx.duration) => () =>
      runLoad({ url: `${commit.url}/archive`, method: 'POST', headers: { 'Content-Type': 'text/html' }, bodyBytes: 10240, connections: 1, duration });
    // Datagrams the traced pair sent during its own runs (both services send to `sinks`).
    const datagrams = async () => ((await (await fetch(`${sinks.url}/counts`)).json()) as { datagrams: number }).datagrams;
    let tracedDatagrams = 0;
    const tracedLoad = async () => {
      const before = await datagrams();
      const result = await load(urls.traced)();
      await new Promise((res) => setTimeout(res, 200)); // the last linger
      tracedDatagrams += (await datagrams()) - before;
      return result;
    };
    const r = await interleave({ direct: load(urls.direct), fetch: load(urls.fetch), traced: tracedLoad, bare: load(urls.bare), commit: commitLoad() }, ctx.rounds);
    const d = r.direct!;
    const rows: Row[] = [];
    for (const [name, label] of [['fetch', 'untraced'], ['traced', 'traced (xray)']] as const) {
      const f = r[name]!;
      const added = spread(f.map((x, i) => x.p50 - d[i]!.p50));
      const errors = f.reduce((s, x) => s + x.errors, 0);
      rows.push({
        question: 'fetch pipeline',
        measure: `p50 added by GET /fetch/{url} (${label}), 10 KiB page, 1 client`,
        value: fmtSigned(added, 2, ' ms'),
        detail: `fetch p50 ${fmt(spread(f.map((x) => x.p50)), 2, ' ms')}, p99 ${fmt(spread(f.map((x) => x.p99)), 2, ' ms')}, ${fmt(spread(f.map((x) => x.rps)), 0)} req/s; direct p50 ${fmt(spread(d.map((x) => x.p50)), 3, ' ms')}${name === 'traced' ? `; ${tracedDatagrams} datagrams for ${f.reduce((n, x) => n + x.requests, 0)} fetches, both services (segment documents, subsegments nested)` : ''}${errors ? `; ${errors} errors` : ''}`,
        target: name === 'fetch' ? '≤ +1 ms' : 'info',
        verdict: name === 'fetch' ? (errors === 0 && added.median <= 1 ? 'met' : 'missed') : 'info',
      });
    }
    const b = r.bare!;
    const floor = spread(b.map((x, i) => x.p50 - d[i]!.p50));
    const overFloor = spread(r.fetch!.map((x, i) => x.p50 - b[i]!.p50));
    rows.push({
      question: 'fetch pipeline',
      measure: 'p50 added by the same three hops bare (node:http + undici → node:http + node:sqlite, no guard, logs or streaming): the floor here',
      value: fmtSigned(floor, 2, ' ms'),
      detail: `bare p50 ${fmt(spread(b.map((x) => x.p50)), 2, ' ms')}, ${fmt(spread(b.map((x) => x.rps)), 0)} req/s; GET /fetch/{url} (untraced) adds ${fmtSigned(overFloor, 2, ' ms')} at p50 over it`,
      target: 'info',
      verdict: 'info',
    });
    const c = r.commit!;
    const beyond = spread(r.fetch!.map((x, i) => x.p50 - c[i]!.p50));
    rows.push({
      question: 'fetch pipeline',
      measure: 'p50 of GET /fetch/{url} (untraced) beyond one durable SQLite commit',
      value: fmtSigned(beyond, 2, ' ms'),
      detail: `a bare node:http + node:sqlite insert of 10 KiB (WAL, FULL), 1 client: p50 ${fmt(spread(c.map((x) => x.p50)), 2, ' ms')}, ${fmt(spread(c.map((x) => x.rps)), 0)} req/s`,
      target: 'info',
      verdict: 'info',
    });
    if (ctx.profile) {
      await Promise.all([fetcher.stop(), archiver.stop()]);
      ctx.notes.push(...profileNotes('fetcher', join(dir, 'fetcher')));
      ctx.notes.push(...profileNotes('archiver', join(dir, 'archiver')));
    }
    return rows;
  } finally {
    await Promise.all([fetcher.stop(), fetcherT.stop(), archiver.stop(), archiverT.stop(), page.stop(), sinks.stop(), commit.stop(), bare.stop(), bareStore.stop()]);
  }
}, { duration: 1 });
