/**
 * An npm registry on loopback for installing our tarballs into an empty folder without
 * leaving the machine (tests talk to loopback only). It serves every package the
 * repository's lockfile installed: packuments built from the lockfile's entries, and
 * tarballs packed on the fly from the installed folders under node_modules.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';

interface Version { name: string; version: string; path: string; dependencies: Record<string, string>; optionalDependencies: Record<string, string>; peerDependencies: Record<string, string>; peerDependenciesMeta?: Record<string, unknown>; os?: string[]; cpu?: string[]; bin?: unknown }

export interface LocalRegistry {
  url: string;
  /** Requests answered with 404 (a package the lockfile does not have). */
  misses: string[];
  /** Optional peer dependencies of what the lockfile has: npm asks for them, and may do without. */
  optionalPeers: Set<string>;
  close(): Promise<void>;
}

/** Starts the registry for the repository at `root`. */
export async function startLocalRegistry(root: string): Promise<LocalRegistry> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, any> };
  const byName = new Map<string, Map<string, Version>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/') || entry.link || !entry.version) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const versions = byName.get(name) ?? new Map<string, Version>();
    if (!versions.has(entry.version)) {
      versions.set(entry.version, {
        name, version: entry.version, path,
        dependencies: entry.dependencies ?? {}, optionalDependencies: entry.optionalDependencies ?? {},
        peerDependencies: entry.peerDependencies ?? {}, peerDependenciesMeta: entry.peerDependenciesMeta,
        os: entry.os, cpu: entry.cpu, bin: entry.bin,
      });
    }
    byName.set(name, versions);
  }
  const misses: string[] = [];
  const optionalPeers = new Set<string>();
  for (const entry of Object.values(lock.packages)) for (const [name, meta] of Object.entries((entry.peerDependenciesMeta ?? {}) as Record<string, { optional?: boolean }>)) if (meta.optional) optionalPeers.add(name);
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const tarball = url.match(/^\/-\/tarball\/(.+)\/-\/([^/]+)\.tgz$/);
    if (tarball) {
      const v = byName.get(tarball[1])?.get(tarball[2]);
      if (!v) return notFound(res, url);
      // npm wants the package's files under package/ in the tarball.
      const dir = join(root, v.path);
      const tar = spawn('tar', ['czf', '-', '-C', dirname(dir), '--exclude=node_modules', `--transform=s,^${basename(dir)},package,`, basename(dir)], { stdio: ['ignore', 'pipe', 'ignore'] });
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      tar.stdout.pipe(res);
      return;
    }
    const name = url.slice(1);
    const versions = byName.get(name);
    if (!versions) return notFound(res, url);
    const list = [...versions.values()];
    const doc = {
      name,
      'dist-tags': { latest: list[list.length - 1].version },
      versions: Object.fromEntries(list.map((v) => [v.version, {
        name, version: v.version, dependencies: v.dependencies, optionalDependencies: v.optionalDependencies,
        peerDependencies: v.peerDependencies, peerDependenciesMeta: v.peerDependenciesMeta, os: v.os, cpu: v.cpu, bin: v.bin,
        dist: { tarball: `${base}/-/tarball/${name}/-/${v.version}.tgz` },
      }])),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  });
  function notFound(res: ServerResponse, url: string) {
    misses.push(url);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    misses,
    optionalPeers,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
