/** Archiver helpers for the benches: start one on a fresh database, store a document. */
import { join } from 'node:path';
import { createServer } from 'node:net';
import { root, spawnNode, startService, untraced, type Server } from './proc.ts';

/** A 10 KiB HTML document (valid UTF-8, so the archive media carries it as text). */
export const doc10k = Buffer.from(`<!doctype html><title>bench</title><p>${'archived text '.repeat(800)}`.slice(0, 10240));

/** Starts an archiver on `dir/<name>.db` (untraced unless `env` says otherwise). */
export function startArchiver(dir: string, name: string, options: { env?: NodeJS.ProcessEnv; args?: string[]; nodeArgs?: string[] } = {}): Promise<Server> {
  return startService('archiver', ['--listen', '127.0.0.1:0', '--db', join(dir, `${name}.db`), ...(options.args ?? [])], {
    name,
    env: { ...untraced, ...options.env },
    nodeArgs: options.nodeArgs,
  });
}

/** Stores `body` with the raw form of POST /archive; returns the archive's href. */
export async function store(archiver: string, body: Buffer, contentType = 'text/html; charset=utf-8'): Promise<string> {
  const res = await fetch(`${archiver}/archive`, { method: 'POST', headers: { 'content-type': contentType, 'x-archive-status': '200', 'x-archive-url': 'http://bench.test/page' }, body: new Uint8Array(body) });
  if (res.status !== 201) throw new Error(`POST /archive answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { href: string }).href;
}

/**
 * Starts an archiver with LOG_LEVEL=warn: no "listening" line to wait for, so it gets a free
 * loopback port picked here and is polled on /health.
 */
export async function startQuietArchiver(dir: string, name: string, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const port = await new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
  const p = spawnNode(name, join(root, 'node_modules', '.bin', 'archiver'), ['--listen', `127.0.0.1:${port}`, '--db', join(dir, `${name}.db`)], { env: { ...untraced, LOG_LEVEL: 'warn', ...env } });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not answer /health:\n${p.tail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Object.assign(p, { url, port });
}
