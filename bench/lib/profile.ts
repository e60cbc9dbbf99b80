/**
 * Reads the .cpuprofile files `node --cpu-prof` writes at exit and sums self time per
 * function, so a missed target comes with where the time went.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root } from './proc.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Node arguments that write a profile into `dir` when the process exits. */
export const cpuProfArgs = (dir: string): string[] => ['--cpu-prof', '--cpu-prof-dir', dir];

/** Where a frame lives: `src/...`, a package name, or `node:` for Node.js internals. */
function ownerOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const path = url.replace(/^file:\/\//, '');
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1]!;
  return relative(root, path).split('/').slice(0, 2).join('/');
}

/**
 * The busy time (idle left out) of every profile in `dir`: the top `n` functions by self
 * time, then the top code owners (project folders, packages) by inclusive time.
 */
export function topSelfTime(dir: string, n = 12): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) return [`(no .cpuprofile in ${dir}: the process did not exit cleanly)`];
  const self = new Map<string, number>();
  const owners = new Map<string, number>();
  let busy = 0;
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    const byId = new Map(p.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
    p.samples.forEach((id, i) => {
      const node = byId.get(id)!;
      const dt = p.timeDeltas[i] ?? 0;
      const cf = node.callFrame;
      if (cf.functionName === '(idle)') return;
      // Start-up (module loading under service-kit/launch.js) is left out: only serving counts.
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) if (byId.get(at)!.callFrame.url.endsWith('/service-kit/launch.js')) return;
      busy += dt;
      const where = cf.url ? `${relative(root, cf.url.replace(/^file:\/\//, ''))}:${cf.lineNumber + 1}` : '';
      const key = `${cf.functionName || '(anonymous)'} ${where}`.trim();
      self.set(key, (self.get(key) ?? 0) + dt);
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)!.callFrame;
        if (!frame.url) continue;
        const o = ownerOf(frame.url);
        if (!seen.has(o)) seen.add(o), owners.set(o, (owners.get(o) ?? 0) + dt);
      }
    });
  }
  const line = ([k, us]: [string, number]) => `${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`;
  return [
    `  busy ${(busy / 1000).toFixed(0)} ms (idle and start-up left out); self time:`,
    ...[...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(line),
    '  inclusive time by code owner (a stack counts once per owner):',
    ...[...owners.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(line),
  ];
}

/** Note lines for a profiled process: a heading naming it, then its top self-time functions. */
export function profileNotes(name: string, dir: string): string[] {
  return [`${name} CPU profile, top self time:`, ...topSelfTime(dir)];
}
