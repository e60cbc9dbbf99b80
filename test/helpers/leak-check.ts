/**
 * Preloaded into every test file's process (`node --test --import`): after the file's last
 * test, nothing it started may still hold the event loop open (a server, socket, timer,
 * child process or worker), as HotROD's leak check does for goroutines. Handles that are
 * closing get a short grace period; what is left fails the file with its kinds named.
 */
import { relative } from 'node:path';
import { after } from 'node:test';

const GRACE_MS = 2_000;
const baseline = count(process.getActiveResourcesInfo());

function count(kinds: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of kinds) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function leaked(): string[] {
  const out: string[] = [];
  for (const [kind, n] of count(process.getActiveResourcesInfo())) {
    const extra = n - (baseline.get(kind) ?? 0);
    if (extra > 0) out.push(extra > 1 ? `${kind} ×${extra}` : kind);
  }
  return out;
}

after(async () => {
  const deadline = Date.now() + GRACE_MS;
  let left = leaked();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25).unref());
    left = leaked();
  }
  if (left.length > 0) {
    // What is left would keep this process (and so the test run) alive: the failure is
    // reported, then the process ends.
    setTimeout(() => process.exit(1), 500).unref();
    throw new Error(`${relative(process.cwd(), process.argv[1] ?? "")} left open: ${left.join(', ')} (close what each test starts, e.g. with t.after)`);
  }
});
