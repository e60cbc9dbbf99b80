/** Small terminal helpers shared by the CLIs: one-line errors, tables, a progress bar. */
import type { Writable } from 'node:stream';

/** Prints `code: detail` (or the message) on stderr and exits non-zero. */
export function fail(err: unknown, exitCode = 1): never {
  const e = err as { code?: string; detail?: string; message?: string };
  const line = e?.code && e.detail ? `${e.code}: ${e.detail}` : (e?.message ?? String(err));
  process.stderr.write(`${line}\n`);
  process.exit(exitCode);
}

/** Renders rows as aligned columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Human size: 1.2 MiB. */
export function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}

/** A progress bar on a terminal; a no-op elsewhere. */
export function progress(total: number, out: Writable & { isTTY?: boolean } = process.stderr): { add(n: number): void; done(): void } {
  if (!out.isTTY || total < 1024 * 1024) return { add() {}, done() {} };
  let seen = 0;
  let last = 0;
  const draw = () => {
    const pct = total > 0 ? Math.min(1, seen / total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(pct * width)).padEnd(width, '.');
    out.write(`\r[${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${humanBytes(seen)} / ${humanBytes(total)}`);
  };
  return {
    add(n) {
      seen += n;
      const now = Date.now();
      if (now - last > 100) {
        last = now;
        draw();
      }
    },
    done() {
      draw();
      out.write('\n');
    },
  };
}
