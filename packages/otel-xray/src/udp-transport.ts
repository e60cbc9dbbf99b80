/**
 * Sends datagrams to the daemon (XRAY-REFERENCE §2). Only bytes: it never sees a span or
 * a document. Tracing must never hurt the service, so `send` never throws and never
 * waits: the host is resolved once, datagrams sent meanwhile wait in a small bounded
 * list, and every failure (DNS, ICMP port unreachable, send error) is counted and
 * reported through `onError`, never raised. The socket is unref'd: it never keeps a
 * process alive.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Endpoint } from './wire/daemon-address.ts';

export { parseDaemonAddress } from './wire/daemon-address.ts';
export type { DaemonAddress, Endpoint } from './wire/daemon-address.ts';

/** Resolves a host name to one address (injectable so tests never touch real DNS). */
export type Resolver = (host: string) => Promise<{ address: string; family: number }>;

/** What went wrong: name resolution, ICMP port unreachable (nobody listening), or other send errors. */
export type TransportErrorKind = 'dns' | 'refused' | 'send';

/** Options of UdpTransport. */
export interface UdpTransportOptions {
  /** Default: the OS resolver (`dns.lookup`, honours /etc/hosts). */
  resolver?: Resolver;
  /** Called for every failure; must not throw. */
  onError?: (kind: TransportErrorKind, error: Error) => void;
  /** Minimum time between resolutions after a failure (ms). Default 30 s. */
  reresolveMs?: number;
  /** Datagrams held while resolving/connecting; more are dropped. Default 64. */
  maxPending?: number;
  /**
   * After an ICMP port-unreachable, datagrams are dropped without a send for this long (ms), then
   * one probes again. Default 1 s. A dead daemon would otherwise cost every request a send, an
   * ICMP answer and an error event: 0.6× the throughput of a live one (bench/daemon-down.ts).
   */
  refusedBackoffMs?: number;
}

/** Counters for diagnostics and tests. */
export interface TransportCounters {
  /** Datagrams the kernel accepted (UDP: not proof of delivery). */
  sent: number;
  /** Datagrams never handed to the kernel (resolution failed or pending list full). */
  dropped: number;
  dnsErrors: number;
  /** ECONNREFUSED: ICMP port unreachable on the connected socket. */
  refused: number;
  sendErrors: number;
}

type State = 'idle' | 'resolving' | 'ready' | 'failed' | 'closed';

/** A connected, unref'd UDP socket to one endpoint that never throws at its caller. */
export class UdpTransport {
  /** Running totals; read them, do not write. */
  readonly counters: TransportCounters = { sent: 0, dropped: 0, dnsErrors: 0, refused: 0, sendErrors: 0 };
  private readonly endpoint: Endpoint;
  private readonly resolver: Resolver;
  private readonly onError: (kind: TransportErrorKind, error: Error) => void;
  private readonly reresolveMs: number;
  private readonly maxPending: number;
  private state: State = 'idle';
  private socket: Socket | undefined;
  private pending: Array<Buffer | string> = [];
  private inFlight = 0;
  private lastResolveAt = -Infinity;
  private readonly refusedBackoffMs: number;
  /** Until when (performance.now()) sends are skipped after a refusal; 0 when not. */
  private quietUntil = 0;
  private idleWaiters: Array<() => void> = [];
  // Bound once: a closure per datagram would be garbage on the hot path.
  private readonly onSent = (error: Error | null): void => this.handleSent(error);
  private readonly onSocketError = (error: Error): void => this.handleSocketError(error);

  constructor(endpoint: Endpoint, options: UdpTransportOptions = {}) {
    this.endpoint = endpoint;
    this.resolver = options.resolver ?? ((host) => lookup(host));
    this.onError = options.onError ?? (() => {});
    this.reresolveMs = options.reresolveMs ?? 30_000;
    this.maxPending = options.maxPending ?? 64;
    this.refusedBackoffMs = options.refusedBackoffMs ?? 1000;
  }

  /** Queues one datagram for sending; never throws, never blocks. */
  send(datagram: Buffer | string): void {
    switch (this.state) {
      case 'ready':
        if (this.quietUntil !== 0) {
          if (performance.now() < this.quietUntil) {
            this.counters.dropped++;
            return;
          }
          this.quietUntil = 0;
        }
        this.write(datagram);
        return;
      case 'failed':
        if (performance.now() - this.lastResolveAt < this.reresolveMs) {
          this.counters.dropped++;
          return;
        }
        this.state = 'idle';
        break;
      case 'closed':
        this.counters.dropped++;
        return;
    }
    if (this.pending.length >= this.maxPending) this.counters.dropped++;
    else this.pending.push(datagram);
    if (this.state === 'idle') this.open();
  }

  /** Resolves once nothing is pending or in flight (or after `timeoutMs`). */
  flush(timeoutMs = 5000): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      const waiters = this.idleWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  /** Closes the socket; later sends are dropped. */
  close(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    this.state = 'closed';
    this.counters.dropped += this.pending.length;
    this.pending = [];
    const socket = this.socket;
    this.socket = undefined;
    this.wakeIdle(true);
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // already closed by an error path
      }
    });
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.pending.length === 0 && this.state !== 'resolving';
  }

  private wakeIdle(force = false): void {
    if (!force && !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private write(datagram: Buffer | string): void {
    this.inFlight++;
    try {
      this.socket!.send(datagram, this.onSent);
    } catch (error) {
      // Synchronous throws (e.g. a socket closed under us) are counted like async ones.
      this.handleSent(error as Error);
    }
  }

  private open(): void {
    this.state = 'resolving';
    this.lastResolveAt = performance.now();
    const { host } = this.endpoint;
    const family = isIP(host);
    if (family !== 0) {
      this.connect(host, family);
      return;
    }
    this.resolver(host).then(
      (result) => this.connect(result.address, result.family),
      (error: Error) => this.fail('dns', error),
    );
  }

  private connect(address: string, family: number): void {
    if (this.state === 'closed') return;
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    socket.unref();
    socket.on('error', this.onSocketError);
    this.socket = socket;
    socket.connect(this.endpoint.port, address, () => {
      if (this.state !== 'resolving' || this.socket !== socket) return;
      this.state = 'ready';
      const pending = this.pending;
      this.pending = [];
      for (const datagram of pending) this.write(datagram);
      this.wakeIdle();
    });
  }

  private fail(kind: TransportErrorKind, error: Error): void {
    if (this.state === 'closed') return;
    if (kind === 'dns') this.counters.dnsErrors++;
    else this.counters.sendErrors++;
    this.counters.dropped += this.pending.length;
    this.pending = [];
    this.state = 'failed';
    this.discardSocket();
    this.report(kind, error);
    this.wakeIdle();
  }

  private handleSent(error: Error | null): void {
    this.inFlight--;
    if (error === null || error === undefined) {
      this.counters.sent++;
    } else if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      this.refused(error);
    } else {
      this.counters.sendErrors++;
      this.report('send', error);
      this.maybeReresolve();
    }
    this.wakeIdle();
  }

  private handleSocketError(error: Error): void {
    // Linux reports ICMP port unreachable for an earlier datagram here, not in a send callback.
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      this.refused(error);
    } else if (this.state === 'resolving') {
      // bind/connect failed: the next send starts over after the back-off.
      this.fail('send', error);
    } else {
      this.counters.sendErrors++;
      this.report('send', error);
    }
  }

  /** Nobody listens at the daemon address: count it, and send nothing for a while. */
  private refused(error: Error): void {
    this.counters.refused++;
    this.quietUntil = performance.now() + this.refusedBackoffMs;
    this.report('refused', error);
    this.maybeReresolve();
  }

  /** After a send failure, look the name up again (the daemon may have moved), at most every reresolveMs. */
  private maybeReresolve(): void {
    if (this.state !== 'ready' || isIP(this.endpoint.host) !== 0) return;
    if (performance.now() - this.lastResolveAt < this.reresolveMs) return;
    this.state = 'idle';
    this.discardSocket();
  }

  private discardSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined) return;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }

  private report(kind: TransportErrorKind, error: Error): void {
    try {
      this.onError(kind, error);
    } catch {
      // A faulty callback must not turn a dropped datagram into a crash.
    }
  }
}
