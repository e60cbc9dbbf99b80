/** Every fetcher setting in one place: flag, env var, default and meaning. */
import { parseBaseUrl, parseBytes, parseDuration, parseHostPort, parseIntIn, type Setting, headersTimeoutSetting } from '@tfa/service-kit/config';
import { parseAllowList } from './guard/allowlist.ts';
import { daemonSetting } from '@tfa/service-tracing/env';

/** The fetcher's settings table (also rendered by --help and in the README). */
export const fetcherSettings = {
  listen: { flag: 'listen', short: 'l', env: 'FETCHER_LISTEN', default: '127.0.0.1:8081', parse: parseHostPort, doc: 'address to serve HTTP on' },
  daemon: daemonSetting,
  archiver: { flag: 'archiver', short: 'a', env: 'ARCHIVER_URL', default: 'http://127.0.0.1:8080', parse: parseBaseUrl, doc: 'archiver base URL' },
  archiverToken: { flag: 'archiver-token', env: 'ARCHIVER_TOKEN', parse: (raw: string) => raw, doc: 'bearer token for the archiver' },
  allow: {
    flag: 'allow',
    env: 'FETCHER_ALLOW',
    default: '',
    parse: parseAllowList,
    doc: 'comma list of host[:port] or CIDR exempt from the private-address block',
  },
  wait: { flag: 'wait', env: 'FETCHER_WAIT', default: '60s', parse: parseDuration, doc: 'how long to wait at start for the archiver' },
  connectTimeout: { flag: 'connect-timeout', env: 'FETCHER_CONNECT_TIMEOUT', default: '5s', parse: parseDuration, doc: 'upstream connect timeout' },
  deadline: { flag: 'deadline', env: 'FETCHER_DEADLINE', default: '30s', parse: parseDuration, doc: 'whole upstream fetch deadline, body included' },
  maxBody: { flag: 'max-body', env: 'FETCHER_MAX_BODY', default: '64MiB', parse: parseBytes, doc: 'largest upstream body (keep equal to the archiver\'s)' },
  maxRedirects: { flag: 'max-redirects', env: 'FETCHER_MAX_REDIRECTS', default: '5', parse: parseIntIn(0, 20), doc: 'redirects followed' },
  maxConcurrent: { flag: 'max-concurrent', env: 'FETCHER_MAX_CONCURRENT', default: '64', parse: parseIntIn(1, 10000), doc: 'fetches in flight before 503 busy' },
  headersTimeout: headersTimeoutSetting('FETCHER_HEADERS_TIMEOUT'),
  help: { flag: 'help', short: 'h', boolean: true, parse: (raw: string) => raw === 'true', doc: 'show this help' },
} satisfies Record<string, Setting<unknown>>;
