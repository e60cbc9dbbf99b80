/**
 * Question: big bodies. A 256 MiB page, generated on the fly by a loopback server, through
 * the fetcher into the archiver (`--max-body 300MiB` both, fetcher `--deadline 120s`),
 * untraced. Samples each service's RSS every 25 ms. Targets: each process's RSS growth
 * ≤ 64 MiB over its idle RSS; MB/s reported.
 */
import { startArchiver } from './lib/archiver.ts';
import { bench, fmt, int, spread, type Row } from './lib/bench.ts';
import { startFetcher } from './lib/fetcher.ts';
import { scratchDir, startHelper } from './lib/proc.ts';
import { cpuProfArgs, profileNotes } from './lib/profile.ts';
import { MiB, rss, rssParts, sampleRss } from './lib/rss.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

await bench('big bodies', async (ctx) => {
  const bytes = (ctx.smoke ? 16 : 256) * MiB;
  const dir = scratchDir();
  const prof = (name: string) => (ctx.profile ? (mkdirSync(join(dir, name), { recursive: true }), cpuProfArgs(join(dir, name))) : []);
  const page = await startHelper('page');
  const archiver = await startArchiver(dir, 'archiver', { args: ['--max-body', '300MiB'], nodeArgs: prof('archiver') });
  const fetcher = await startFetcher(archiver.url, page.port, { args: ['--max-body', '300MiB', '--deadline', '120s'], nodeArgs: prof('fetcher') });
  try {
    const fetchOnce = async (n: number, seed: string) => {
      const res = await fetch(`${fetcher.url}/fetch/${page.url}/big?bytes=${n}&seed=${seed}`);
      const body = (await res.json()) as { size?: number; status?: number; code?: string };
      if (res.status !== 200 || body.size !== n) throw new Error(`fetch of ${n} bytes answered ${res.status}: ${JSON.stringify(body)}`);
    };
    await fetchOnce(1 << 20, 'warm-up'); // both services past their first request
    await new Promise((r) => setTimeout(r, 300));
    const rounds = Math.max(1, Math.min(ctx.rounds, 2));
    const growth: number[][] = [[], []];
    const parts: string[][] = [[], []];
    const mbps: number[] = [];
    const idle = [rss(fetcher.pid), rss(archiver.pid)];
    for (let i = 0; i < rounds; i++) {
      const before = [rssParts(fetcher.pid), rssParts(archiver.pid)];
      const sampler = sampleRss([fetcher.pid, archiver.pid]);
      const t0 = performance.now();
      await fetchOnce(bytes, `round-${i}-${Date.now()}`);
      const seconds = (performance.now() - t0) / 1000;
      const peak = sampler.stop();
      for (const j of [0, 1]) {
        const [p, b] = [peak[j]!, before[j]!];
        growth[j]!.push((p.rss - b.rss) / MiB);
        const d = (x: number, y: number) => `${x - y >= 0 ? '+' : ''}${((x - y) / MiB).toFixed(1)}`;
        parts[j]!.push(`anon ${d(p.anon, b.anon)}, file ${d(p.file, b.file)}, shmem ${d(p.shmem, b.shmem)}`);
      }
      mbps.push(bytes / 1e6 / seconds);
    }
    const rows: Row[] = [
      {
        question: 'big bodies',
        measure: `${bytes / MiB} MiB through fetcher → archiver, throughput`,
        value: `${fmt(spread(mbps), 0)} MB/s`,
        detail: `${rounds} run(s), durable at the 201`,
        target: 'reported',
        verdict: 'info',
      },
    ];
    ['fetcher', 'archiver'].forEach((name, i) => {
      const g = spread(growth[i]!);
      rows.push({
        question: 'big bodies',
        measure: `${name} RSS growth during the transfer`,
        value: `${fmt(g, 1, ' MiB')}`,
        detail: `per run ${growth[i]!.map((g, k) => `+${g.toFixed(1)} MiB (${parts[i]![k]})`).join('; ')} over the RSS just before it (idle RSS ${int(idle[i]! / MiB)} MiB); the verdict takes the worst run`,
        target: '≤ 64 MiB',
        verdict: g.max <= 64 ? 'met' : 'missed',
      });
    });
    if (ctx.profile) {
      await Promise.all([fetcher.stop(), archiver.stop()]);
      ctx.notes.push(...profileNotes('fetcher', join(dir, 'fetcher')));
      ctx.notes.push(...profileNotes('archiver', join(dir, 'archiver')));
    }
    return rows;
  } finally {
    await Promise.all([fetcher.stop(), archiver.stop(), page.stop()]);
  }
}, { rounds: 2 });
