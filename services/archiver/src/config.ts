/** Every archiver setting in one place: flag, env var, default and meaning. */
import { isLoopbackHost, parseBytes, parseHostPort, type Setting, headersTimeoutSetting } from '@tfa/service-kit/config';
import { daemonSetting } from '@tfa/service-tracing/env';

/** The archiver's settings table (also rendered by --help and in the README). */
export const archiverSettings = {
  listen: { flag: 'listen', short: 'l', env: 'ARCHIVER_LISTEN', default: '127.0.0.1:8080', parse: parseHostPort, doc: 'address to serve HTTP on' },
  daemon: daemonSetting,
  db: {
    flag: 'db',
    env: 'ARCHIVER_DB',
    default: './data/archive.db',
    parse: (raw: string) => {
      if (/^postgres(ql)?:\/\//i.test(raw) && !URL.canParse(raw)) throw new Error('expected postgres://user:password@host:5432/database');
      return raw;
    },
    doc: 'SQLite database file, or a postgres:// URL',
  },
  token: {
    flag: 'token',
    env: 'ARCHIVER_TOKEN',
    parse: (raw: string) => {
      if (raw.length < 16) throw new Error('use at least 16 characters');
      return raw;
    },
    doc: 'bearer token required for writes (required when listening off loopback)',
  },
  maxBody: { flag: 'max-body', env: 'ARCHIVER_MAX_BODY', default: '64MiB', parse: parseBytes, doc: 'largest document accepted' },
  headersTimeout: headersTimeoutSetting('ARCHIVER_HEADERS_TIMEOUT'),
  help: { flag: 'help', short: 'h', boolean: true, parse: (raw: string) => raw === 'true', doc: 'show this help' },
} satisfies Record<string, Setting<unknown>>;

/** Protected mode: without a token, writes are only safe on loopback. */
export function checkProtectedMode(listenHost: string, token: string | undefined): void {
  if (!token && !isLoopbackHost(listenHost)) {
    throw new Error(
      `refusing to listen on ${listenHost} without a token: anyone who can reach it could write archives; set --token or ARCHIVER_TOKEN, or listen on 127.0.0.1`,
    );
  }
}
