/**
 * trace-console as a real process for tests: started on an ephemeral loopback port (UDP and
 * TCP share it), with helpers to send datagrams and to wait until a trace shows up.
 */
import { createSocket } from 'node:dgram';
import type { TestContext } from 'node:test';
import { start, type Running } from './process.ts';

/** A running console. */
export interface RunningConsole extends Running {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The shared UDP/TCP port. */
  port: number;
  /** Sends datagrams from one client socket and waits until they left; resolves with the sender as diagnostics name it. */
  send(...datagrams: Buffer[]): Promise<string>;
  /** GETs a path with the token (if any); status and the parsed JSON (text when not JSON). */
  get(path: string): Promise<{ status: number; json: any }>;
  /** Polls `GET /api/traces/{id}` until `ready(trace)` holds (default: it exists). */
  waitForTrace(id: string, ready?: (trace: any) => boolean, timeoutMs?: number): Promise<any>;
}

/**
 * Starts `trace-console --listen 127.0.0.1:0 --db DB ...args` and waits for `trace-console listening`.
 * The OTLP doors are off unless `args` names them: tests never bind the default 4317/4318.
 */
export async function startConsole(t: TestContext, options: { db: string; token?: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<RunningConsole> {
  const given = options.args ?? [];
  const doors = ['--otlp-grpc', '--otlp-http'].flatMap((flag) => (given.includes(flag) ? [] : [flag, 'off']));
  const args = ['--listen', '127.0.0.1:0', '--db', options.db, ...doors, ...(options.token ? ['--token', options.token] : []), ...given];
  const p = start(t, 'trace-console', args, { env: options.env });
  const line = await p.waitFor('trace-console listening');
  const url = line.address as string;
  const port = Number(new URL(url).port);
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers });
    const text = await res.text();
    const isJson = /json/.test(res.headers.get('content-type') ?? '');
    return { status: res.status, json: isJson && text ? JSON.parse(text) : text };
  };
  return Object.assign(p, {
    url,
    port,
    get,
    send: (...datagrams: Buffer[]) => sendDatagrams(port, datagrams),
    async waitForTrace(id: string, ready: (trace: any) => boolean = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: { status: number; json: any } | undefined;
      while (Date.now() < deadline) {
        last = await get(`/api/traces/${id}`);
        if (last.status === 200 && ready(last.json)) return last.json;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`trace ${id} not ready within ${timeoutMs} ms; last answer ${JSON.stringify(last)}`);
    },
  });
}

/** Sends datagrams to 127.0.0.1:port from one socket, then closes it; resolves with `udp 127.0.0.1:<source port>`. */
export async function sendDatagrams(port: number, datagrams: Buffer[]): Promise<string> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    for (const d of datagrams) {
      await new Promise<void>((resolve, reject) => socket.send(d, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
    return `udp 127.0.0.1:${socket.address().port}`;
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
