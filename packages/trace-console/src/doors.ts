/**
 * The console's OTLP doors beside its own port: OTLP/gRPC (4317) and OTLP/HTTP (4318),
 * where every OpenTelemetry SDK sends by default. A door is `off`, an address that must be
 * bound (`host:port`: a busy port stops the console), or one bound only if free
 * (`if-free:host:port`, the defaults: another collector on 4317 is a warning, not a failure).
 */
import { formatHostPort, parseHostPort, type HostPort } from '@tfa/service-kit/config';
import { exitUnbound } from './listen.ts';

/** A door's setting. */
export type DoorSetting = { off: true } | { off: false; at: HostPort; ifFree: boolean };

const IF_FREE = 'if-free:';

/** Parses `off`, `host:port` or `if-free:host:port`. */
export function parseDoor(raw: string): DoorSetting {
  const value = raw.trim();
  if (value.toLowerCase() === 'off') return { off: true };
  const ifFree = value.startsWith(IF_FREE);
  return { off: false, at: parseHostPort(ifFree ? value.slice(IF_FREE.length) : value), ifFree };
}

/** A bound door. */
export interface OpenDoor {
  address: string;
  close(): Promise<void>;
}

/**
 * Binds a door with `bind`. Returns undefined when it is off, or busy and `if-free` (after a
 * one-line warning on stderr); exits with one line when a required address cannot be bound.
 */
export async function openDoor(what: string, flag: string, door: DoorSetting, bind: (at: HostPort) => Promise<OpenDoor>): Promise<OpenDoor | undefined> {
  if (door.off) return undefined;
  const where = formatHostPort(door.at);
  try {
    return await bind(door.at);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (door.ifFree && e.code === 'EADDRINUSE') {
      process.stderr.write(`trace-console: warning: ${what} ${where} is already in use (another collector?); running without it (set ${flag} HOST:PORT or ${flag} off)\n`);
      return undefined;
    }
    exitUnbound(`${what} ${where}`, e, flag, { inUse: 'is already in use; stop what holds it, or move the door with', other: `cannot be bound (${e.message.split('\n')[0]}); fix or turn off with ${flag}` });
  }
}
