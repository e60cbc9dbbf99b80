/** Resident set size of processes, read from /proc/<pid>/status (Linux). */
import { readFileSync } from 'node:fs';

/** RSS in bytes and its parts (anonymous memory: heaps, buffers; file-backed; shared memory), NaN when unreadable. */
export interface RssParts {
  rss: number;
  anon: number;
  file: number;
  shmem: number;
}

export function rssParts(pid: number): RssParts {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => {
      const m = new RegExp(`${name}:\\s+(\\d+) kB`).exec(text);
      return m ? Number(m[1]) * 1024 : NaN;
    };
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
  } catch {
    return { rss: NaN, anon: NaN, file: NaN, shmem: NaN };
  }
}

/** VmRSS in bytes, or NaN when unreadable (not Linux, process gone). */
export function rss(pid: number): number {
  return rssParts(pid).rss;
}

/** Samples each pid every `everyMs`; `stop()` returns, per pid, the parts at the moment of peak RSS. */
export function sampleRss(pids: number[], everyMs = 25): { stop(): RssParts[] } {
  const peak = pids.map((p) => rssParts(p));
  const timer = setInterval(() => {
    pids.forEach((p, i) => {
      const v = rssParts(p);
      if (v.rss > peak[i]!.rss || Number.isNaN(peak[i]!.rss)) peak[i] = v;
    });
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

export const MiB = 1024 * 1024;

/** CPU time (user + system) a process has used so far, in µs (from /proc, 10 ms ticks). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}
