/**
 * The daemon's UDP side (XRAY-REFERENCE §2.1): one socket on the listen address, a large
 * receive buffer so bursts are not lost in the kernel, every datagram handed to ingest and
 * optionally relayed byte-identical to a real daemon. Sends to the relay are fire-and-forget
 * with a bound on those in flight, so a slow or absent daemon never holds up ingest.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HostPort } from '@tfa/service-kit/config';
import type { Ingest } from './ingest.ts';
import { formatHostPort } from '@tfa/service-kit/config';

/** Receive buffer asked of the kernel (it may grant less, e.g. Linux caps at net.core.rmem_max). */
const RECV_BUFFER_BYTES = 8 * 1024 * 1024;
/** Relay datagrams not yet handed to the kernel before new ones are dropped. */
const MAX_RELAY_IN_FLIGHT = 1024;

/** The UDP receiver. */
export interface UdpReceiver {
  /** `host:port` actually bound. */
  address: string;
  port: number;
  /** Datagrams not relayed because too many were in flight or the send failed. */
  relayDropped(): number;
  close(): Promise<void>;
}

/** Binds the UDP socket (port 0 = any free port) and starts feeding `ingest`; `forward` should be resolved (resolveForward). */
export async function startUdp(at: HostPort, ingest: Ingest, options: { forward?: HostPort; onError?: (err: Error) => void } = {}): Promise<UdpReceiver> {
  const socket = createSocket({ type: isIP(at.host) === 6 ? 'udp6' : 'udp4' });
  const relay = options.forward ? relayTo(options.forward, options.onError) : undefined;
  socket.on('message', (msg, rinfo) => {
    relay?.send(msg);
    try {
      ingest.datagram(msg, `udp ${formatHostPort({ host: rinfo.address, port: rinfo.port })}`);
    } catch (err) {
      options.onError?.(err as Error); // a bug must cost one datagram, never the receiver
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: at.host, port: at.port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (err) => options.onError?.(err));
  try {
    socket.setRecvBufferSize(RECV_BUFFER_BYTES);
  } catch {
    // the OS refused the size; the default buffer still works, only bursts lose more
  }
  const bound = socket.address();
  return {
    address: formatHostPort({ host: bound.address, port: bound.port }),
    port: bound.port,
    relayDropped: () => relay?.dropped() ?? 0,
    close: async () => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await relay?.close();
    },
  };
}

/** The relay target with its host resolved once (a name would cost a DNS lookup per datagram). */
export async function resolveForward(target: HostPort): Promise<HostPort> {
  if (isIP(target.host) !== 0) return target;
  const { address } = await lookup(target.host);
  return { host: address, port: target.port };
}

/** A relay socket to a real daemon. */
function relayTo(target: HostPort, onError?: (err: Error) => void): { send(msg: Buffer): void; dropped(): number; close(): Promise<void> } {
  const socket: Socket = createSocket({ type: isIP(target.host) === 6 ? 'udp6' : 'udp4' });
  socket.on('error', (err) => onError?.(err));
  let inFlight = 0;
  let dropped = 0;
  let closed = false;
  return {
    send(msg) {
      if (closed || inFlight >= MAX_RELAY_IN_FLIGHT) {
        dropped++;
        return;
      }
      inFlight++;
      socket.send(msg, target.port, target.host, (err) => {
        inFlight--;
        if (err) dropped++;
      });
    },
    dropped: () => dropped,
    close: () => {
      closed = true;
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}
