/** Fetcher helper: start one in front of an archiver, allowed to fetch from a loopback port. */
import { startService, untraced, type Server } from './proc.ts';

export function startFetcher(archiver: string, allowPort: number, options: { env?: NodeJS.ProcessEnv; args?: string[]; nodeArgs?: string[]; name?: string } = {}): Promise<Server> {
  return startService('fetcher', ['--listen', '127.0.0.1:0', '--archiver', archiver, '--allow', `127.0.0.1:${allowPort}`, ...(options.args ?? [])], {
    name: options.name ?? 'fetcher',
    env: { ...untraced, ...options.env },
    nodeArgs: options.nodeArgs,
  });
}
