/** Finds out, before starting anything, whether a port is already taken. */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';

/** True when nothing holds `host:port` for TCP (and for UDP too, when asked). */
export async function portFree(host: string, port: number, udp = false): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
  if (!tcp || !udp) return tcp;
  return new Promise<boolean>((resolve) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
}
