/**
 * Slowloris on each service: clients that trickle their request headers are cut off by
 * --headers-timeout with a 408 in the error shape, while other clients are served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startArchiver, startFetcher } from '@tfa/test-helpers/process';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';
import { percentile, report } from '@tfa/test-helpers/faults';

const TIMEOUT = '1s';
const ATTACKERS = 30;

/** Opens a connection that sends one header line every 200 ms; resolves with what came back and when. */
function trickle(base: string): Promise<{ answer: string; ms: number }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = connect(Number(port), hostname, () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'));
    let answer = '';
    let n = 0;
    const timer = setInterval(() => socket.writable && socket.write(`X-Slow-${n++}: y\r\n`), 200);
    const giveUp = setTimeout(() => socket.destroy(new Error('never cut off')), 8000);
    socket.on('data', (b) => (answer += b));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      if (n > 30) reject(new Error('the slow client was never cut off'));
      else resolve({ answer, ms: performance.now() - t0 });
    });
  });
}

async function underAttack(t: import('node:test').TestContext, name: string, base: string): Promise<void> {
  const attacks = Promise.all(Array.from({ length: ATTACKERS }, () => trickle(base)));
  // Meanwhile, ordinary clients are served.
  const latencies: number[] = [];
  const until = performance.now() + 1500;
  while (performance.now() < until) {
    const t0 = performance.now();
    const res = await fetch(`${base}/health`);
    await res.text();
    assert.equal(res.status, 200, `${name}: an ordinary client is served during the attack`);
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  const cut = await attacks;
  for (const { answer } of cut) {
    assert.match(answer, /^HTTP\/1\.1 408 /, `${name}: the slow client reads a 408`);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.equal(body.code, 'request_timeout');
    assert.equal(body.status, 408);
  }
  report(t, `slowloris ${name}`, {
    slow_clients: ATTACKERS,
    answer: '408 request_timeout, then close',
    cut_off_after_ms_p50: Math.round(percentile(cut.map((c) => c.ms), 50)),
    cut_off_after_ms_max: Math.round(Math.max(...cut.map((c) => c.ms))),
    others_served: `${latencies.length} requests, all 200, p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`,
  });
}

test('slowloris: each service cuts off slow headers (408) and keeps serving others', async (t) => {
  const dir = tempDir(t);
  const args = ['--headers-timeout', TIMEOUT];
  const a = await startArchiver(t, { db: join(dir, 'a.db'), args });
  const f = await startFetcher(t, { archiver: a.url, args });
  const c = await startConsole(t, { db: join(dir, 't.db'), args });
  await Promise.all([underAttack(t, 'archiver', a.url), underAttack(t, 'fetcher', f.url), underAttack(t, 'trace-console', c.url)]);
  for (const p of [a, f, c]) assert.equal(p.child.exitCode, null);
});
