/**
 * PostgreSQL restarted under write load (a test-owned server, so the shared cluster is not
 * disturbed): writes in flight answer 503 `unavailable`, none acknowledged is lost, the
 * archiver reconnects by itself and /health follows the database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startArchiver } from '@tfa/test-helpers/process';
import { ownPostgres, ownPostgresSkipReason } from '@tfa/test-helpers/own-postgres';
import { report, until } from '@tfa/test-helpers/faults';

const skip = ownPostgresSkipReason();

test('PostgreSQL restarted under write load: 503 unavailable while down, nothing acknowledged lost, reconnects alone', { skip }, async (t) => {
  const pg = await ownPostgres(t);
  const a = await startArchiver(t, { db: pg.url });
  const health = async () => (await fetch(`${a.url}/health`).then(async (r) => ({ status: r.status, text: await r.text() })));

  const acknowledged = new Map<number, string>();
  const answers = new Map<string, number>();
  let firstFailureAt = 0;
  let lastSuccessAfterStart = 0;
  let startedAt = 0;
  let stopLoad = false;
  const writer = async () => {
    while (!stopLoad) {
      const body = randomBytes(8).toString('hex');
      const res = await fetch(`${a.url}/archive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 200, body }) });
      const json = await res.json();
      const key = res.status === 201 ? '201' : `${res.status} ${json.code}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
      if (res.status === 201) {
        acknowledged.set(json.id, body);
        if (startedAt && !lastSuccessAfterStart) lastSuccessAfterStart = performance.now();
      } else {
        assert.equal(res.status, 503, JSON.stringify(json));
        assert.equal(json.code, 'unavailable');
        assert.deepEqual(Object.keys(json).sort(), ['code', 'detail', 'id', 'status']);
        firstFailureAt ||= performance.now();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const load = Promise.all(Array.from({ length: 4 }, writer));

  await new Promise((r) => setTimeout(r, 400));
  const stoppedAt = performance.now();
  pg.stop();
  // While it is down: /health 503, writes 503 unavailable.
  await until('/health 503 while PostgreSQL is down', async () => (await health()).status === 503, 5000);
  const down = await health();
  await new Promise((r) => setTimeout(r, 500));
  pg.start();
  startedAt = performance.now();
  const healthMs = await until('/health 200 after PostgreSQL is back', async () => (await health()).status === 200, 10_000);
  await until('a write acknowledged after PostgreSQL is back', () => lastSuccessAfterStart > 0, 10_000);
  stopLoad = true;
  await load;

  // Every acknowledged archive is there, with its bytes.
  for (const [id, body] of acknowledged) {
    const res = await fetch(`${a.url}/archive/${id}`);
    assert.equal(res.status, 200, `archive ${id}`);
    assert.equal((await res.json()).body, body);
  }
  assert.ok((answers.get('503 unavailable') ?? 0) > 0, `writes failed while the database was down: ${JSON.stringify([...answers])}`);
  assert.equal(a.child.exitCode, null, 'the archiver kept running');
  report(t, 'PostgreSQL restart', {
    answers: Object.fromEntries(answers),
    health_while_down: `${down.status} "${down.text}"`,
    first_503_after_stop_ms: Math.round(firstFailureAt - stoppedAt),
    outage_ms: Math.round(startedAt - stoppedAt),
    health_green_after_start_ms: healthMs,
    first_201_after_start_ms: Math.round(lastSuccessAfterStart - startedAt),
    acknowledged: acknowledged.size,
    lost: 0,
  });
});
