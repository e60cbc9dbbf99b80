/**
 * UDP and TCP on one port, as the X-Ray daemon does. UDP binds first (port 0 picks a free
 * one), then TCP takes the same number; with port 0 a TCP collision on that number is
 * retried with a fresh UDP port instead of failing.
 */
import { formatHostPort, type HostPort } from '@tfa/service-kit/config';
import type { App } from '@tfa/service-kit/http';
import type { UdpReceiver } from './ingest/udp.ts';

const ATTEMPTS = 10;

/** Binds UDP via `bindUdp`, then listens TCP on its port; exits with one line when it cannot. */
export async function listenUdpAndTcp(app: App, at: HostPort, bindUdp: (at: HostPort) => Promise<UdpReceiver>): Promise<{ address: string; udp: UdpReceiver }> {
  const where = formatHostPort(at);
  for (let attempt = 1; ; attempt++) {
    let udp: UdpReceiver;
    try {
      udp = await bindUdp(at);
    } catch (err) {
      fail(`UDP ${where}`, err as NodeJS.ErrnoException);
    }
    try {
      return { address: await app.listen({ host: at.host, port: udp.port }), udp };
    } catch (err) {
      await udp.close();
      const e = err as NodeJS.ErrnoException;
      if (at.port === 0 && e.code === 'EADDRINUSE' && attempt < ATTEMPTS) continue;
      fail(`TCP ${where.replace(/:0$/, `:${udp.port}`)}`, e);
    }
  }
}

function fail(what: string, e: NodeJS.ErrnoException): never {
  exitUnbound(what, e, '--listen', { inUse: 'is already in use (another X-Ray daemon or trace-console?); stop it or move trace-console with', other: `cannot be bound: ${e.message}` });
}

/**
 * Exits with the console's one line for an address it could not bind (its own port or an
 * OTLP door): `trace-console: <what> <why> <flag>`, the reason taken from the error code.
 */
export function exitUnbound(what: string, e: NodeJS.ErrnoException, flag: string, words: { inUse: string; other: string }): never {
  const why =
    e.code === 'EADDRINUSE'
      ? `${words.inUse} ${flag}`
      : e.code === 'EACCES'
        ? `needs a permission this process lacks; pick a port above 1023 with ${flag}`
        : e.code === 'EADDRNOTAVAIL'
          ? `is not an address of this machine; fix ${flag}`
          : words.other;
  process.stderr.write(`trace-console: ${what} ${why}\n`);
  process.exit(1);
}
