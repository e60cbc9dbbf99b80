/**
 * Question: console ingest. Daemon datagrams (header line + one fetcher segment, a new trace
 * each) sent over loopback UDP at a fixed rate: 5 000/s first (target: zero loss), then a
 * ramp of higher rates until the first loss. Stored = documents committed to the console's
 * SQLite store (`/api/diagnostics`: per-sender received/accepted, store counts), checked
 * after the queue drains. Target: zero loss at 5 000/s; ≥ 20 000 docs/s max.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, int, sleep, type Row } from './lib/bench.ts';
import { scratchDir, startService, type Server } from './lib/proc.ts';
import { cpuProfArgs, profileNotes } from './lib/profile.ts';
import { DAEMON_HEADER, fetcherSegment, traceId } from './lib/segments.ts';

interface Step {
  rate: number;
  sent: number;
  seconds: number;
  received: number;
  stored: number;
}

interface Diag {
  senders: { sender: string; received: number; accepted: number }[];
  store: { documents: number; queued: number; dropped: number; committed: number };
}

const diag = async (c: Server): Promise<Diag> => (await (await fetch(`${c.url}/api/diagnostics`)).json()) as Diag;

/** Sends `rate` datagrams/s for `seconds` from a fresh socket, then waits until the console has settled. */
async function step(c: Server, rate: number, seconds: number): Promise<Step> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const me = `udp 127.0.0.1:${socket.address().port}`;
  const before = (await diag(c)).store;
  const total = Math.round(rate * seconds);
  let sent = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      while (sent < due) {
        const now = Date.now() / 1000;
        const doc = DAEMON_HEADER + JSON.stringify(fetcherSegment(traceId(now), now - 0.05, sent));
        socket.send(doc, c.port, '127.0.0.1');
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  const elapsed = (performance.now() - t0) / 1000;
  // Settle: received stops moving and the store queue is empty.
  let last = -1;
  let d: Diag;
  for (let stable = 0; ; ) {
    await sleep(100);
    d = await diag(c);
    const mine = d.senders.find((s) => s.sender === me);
    const received = mine?.received ?? 0;
    if (received === last && d.store.queued === 0) stable++;
    else stable = 0;
    last = received;
    if ((received >= total && d.store.queued === 0) || stable >= 5) break;
  }
  socket.close();
  const mine = d.senders.find((s) => s.sender === me);
  return { rate, sent, seconds: elapsed, received: mine?.received ?? 0, stored: d.store.documents - before.documents };
}

await bench('console ingest', async (ctx) => {
  const dir = scratchDir();
  const c = await startService('trace-console', ['--listen', '127.0.0.1:0', '--db', join(dir, 'traces.db'), '--max-traces', '10000000'], {
    nodeArgs: ctx.profile ? cpuProfArgs(dir) : [],
  });
  try {
    const base = await step(c, 5000, ctx.smoke ? 0.5 : 3);
    const ramp = ctx.smoke ? [10_000] : [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000];
    const steps: Step[] = [];
    let best = base.stored === base.sent ? base : undefined;
    let firstLoss: Step | undefined;
    for (const rate of ramp) {
      const s = await step(c, rate, ctx.smoke ? 0.5 : 2);
      steps.push(s);
      if (s.stored < s.sent) {
        firstLoss = s;
        break;
      }
      best = s;
    }
    const achieved = (s: Step) => s.sent / s.seconds;
    const line = (s: Step) => `${int(s.rate)}/s: sent ${int(s.sent)} (${int(achieved(s))}/s achieved), received ${int(s.received)}, stored ${int(s.stored)}`;
    const rows: Row[] = [
      {
        question: 'console ingest',
        measure: 'loss at 5 000 datagrams/s',
        value: `${int(base.sent - base.stored)} lost of ${int(base.sent)}`,
        detail: line(base),
        target: 'zero loss',
        verdict: base.stored === base.sent ? 'met' : 'missed',
      },
      {
        question: 'console ingest',
        measure: 'highest rate stored with zero loss (ramp)',
        value: best ? `${int(achieved(best))} docs/s` : 'none',
        detail: `${steps.map(line).join('; ')}${firstLoss ? '' : ' (no loss up to the last step: the sender was the limit)'}`,
        target: '≥ 20 000 docs/s',
        verdict: best && achieved(best) >= 20_000 ? 'met' : 'missed',
      },
    ];
    ctx.notes.push(`console ingest: kernel UDP receive buffer cap net.core.rmem_max = ${readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()} bytes`);
    if (ctx.profile) {
      await c.stop();
      ctx.notes.push(...profileNotes('trace-console', dir));
    }
    return rows;
  } finally {
    await c.stop();
  }
}, { rounds: 1 });
