/** One supervised child process: prefixed output, its last lines, health polling, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { prettyLine } from './pretty.ts';

/** How a child's output is shown. */
export interface OutputStyle {
  color: boolean;
  raw: boolean;
}

const COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m'];

/** A started service. */
export class Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #last: string[] = [];

  constructor(name: string, index: number, script: string, args: string[], env: NodeJS.ProcessEnv, style: OutputStyle) {
    this.name = name;
    // stdin stays a pipe: when this supervisor dies, the child sees it close and stops (no orphans).
    this.process = spawn(process.execPath, [script, ...args], { env: { ...env, EXIT_WITH_PARENT: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    const prefix = style.color ? `${COLORS[index % COLORS.length]}${name.padEnd(8)}\x1b[0m | ` : `${name.padEnd(8)} | `;
    for (const stream of [this.process.stdout!, this.process.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        this.#last.push(line);
        if (this.#last.length > 20) this.#last.shift();
        process.stdout.write(`${prefix}${style.raw ? line : prettyLine(line)}\n`);
      });
    }
    this.exited = once(this.process, 'exit').then(([code, signal]) => ({ code, signal }));
  }

  /** The last lines it printed, readable. */
  lastLines(n = 10): string[] {
    return this.#last.slice(-n).map(prettyLine);
  }

  /** True while it runs. */
  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Polls `url` until it answers 200, the child exits, or the deadline passes. */
  async waitHealthy(url: string, deadlineMs: number): Promise<'healthy' | 'exited' | 'timeout'> {
    const end = Date.now() + deadlineMs;
    while (Date.now() < end) {
      if (!this.running) return 'exited';
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return 'healthy';
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    return this.running ? 'timeout' : 'exited';
  }

  /** Sends a signal if it still runs. */
  signal(sig: NodeJS.Signals): void {
    if (this.running) this.process.kill(sig);
  }
}
