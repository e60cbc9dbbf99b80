/** Every trace-console setting in one place: flag, env var, default and meaning. */
import { parseDoor } from './doors.ts';
import { parseAwsCredentials } from './otlp/sigv4-error.ts';
import { isLoopbackHost, parseDuration, parseHostPort, parseIntIn, type Setting, headersTimeoutSetting } from '@tfa/service-kit/config';
import { parseAllowHosts } from './guard.ts';

/** The console's settings table (also rendered by --help). */
export const consoleSettings = {
  listen: {
    flag: 'listen',
    short: 'l',
    env: 'TRACE_CONSOLE_LISTEN',
    default: '127.0.0.1:2000',
    parse: parseHostPort,
    doc: 'address for UDP segments and, on the same port, TCP (console, API, OTLP /v1/traces, X-Ray API)',
  },
  otlpGrpc: {
    flag: 'otlp-grpc',
    env: 'TRACE_CONSOLE_OTLP_GRPC',
    default: 'if-free:127.0.0.1:4317',
    parse: parseDoor,
    doc: 'OTLP/gRPC receiver: host:port, off, or if-free:host:port (busy is a warning, not an error)',
  },
  otlpHttp: {
    flag: 'otlp-http',
    env: 'TRACE_CONSOLE_OTLP_HTTP',
    default: 'if-free:127.0.0.1:4318',
    parse: parseDoor,
    doc: 'OTLP/HTTP receiver (POST /v1/traces): host:port, off, or if-free:host:port',
  },
  allowHost: {
    flag: 'allow-host',
    env: 'TRACE_CONSOLE_ALLOW_HOST',
    multiple: true,
    parse: parseAllowHosts,
    doc: "host names the console also answers to besides its --listen address and localhost (repeatable or a comma list); any other Host is refused (DNS-rebinding guard)",
  },
  db: { flag: 'db', env: 'TRACE_CONSOLE_DB', default: './data/traces.db', parse: (raw: string) => raw, doc: 'SQLite file of the trace store and the X-Ray API resources (directory created)' },
  forward: { flag: 'forward', env: 'TRACE_CONSOLE_FORWARD', parse: parseHostPort, doc: 'relay every datagram, byte-identical, to a real X-Ray daemon at host:port' },
  maxTraces: { flag: 'max-traces', env: 'TRACE_CONSOLE_MAX_TRACES', default: '100000', parse: parseIntIn(1, 100_000_000), doc: 'traces kept; the oldest are pruned beyond this' },
  retention: {
    flag: 'retention',
    env: 'TRACE_CONSOLE_RETENTION',
    default: '24h',
    parse: (raw: string) => {
      const ms = parseDuration(raw);
      if (ms < 1000) throw new Error('use at least 1s');
      return ms;
    },
    doc: 'traces that received nothing for this long are pruned',
  },
  samplingRules: {
    flag: 'sampling-rules',
    env: 'TRACE_CONSOLE_SAMPLING_RULES',
    parse: (raw: string) => raw,
    doc: 'JSON file of X-Ray sampling rules served to SDKs (default: X-Ray\'s Default rule)',
  },
  xrayWriteRate: {
    flag: 'xray-write-rate',
    env: 'TRACE_CONSOLE_XRAY_WRITE_RATE',
    default: '100',
    parse: parseIntIn(1, 1_000_000),
    doc: 'X-Ray API writes (Create/Update/Delete/Put/Tag...) per second, bursts of twice that; past it ThrottledException',
  },
  token: {
    flag: 'token',
    env: 'TRACE_CONSOLE_TOKEN',
    parse: (raw: string) => {
      if (raw.length < 16) throw new Error('use at least 16 characters');
      return raw;
    },
    doc: 'bearer token for every TCP route but /health (required when listening off loopback)',
  },
  awsCredentials: {
    flag: 'aws-credentials',
    env: 'TRACE_CONSOLE_AWS_CREDENTIALS',
    parse: parseAwsCredentials,
    doc: 'ACCESS_KEY_ID:SECRET_ACCESS_KEY: POST /v1/traces takes only requests SigV4-signed with them (service xray), as X-Ray does',
  },
  verifySigv4: {
    flag: 'verify-sigv4',
    env: 'TRACE_CONSOLE_VERIFY_SIGV4',
    boolean: true,
    parse: (raw: string) => raw === 'true' || raw === '1',
    doc: 'verify SigV4 on POST /v1/traces with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or --aws-credentials)',
  },
  settle: {
    flag: 'settle',
    env: 'TRACE_CONSOLE_SETTLE',
    default: '30s',
    parse: parseDuration,
    doc: 'how long a subsegment may wait for its parent, or a segment stay in progress, before diagnostics report it',
  },
  headersTimeout: headersTimeoutSetting('TRACE_CONSOLE_HEADERS_TIMEOUT'),
  help: { flag: 'help', short: 'h', boolean: true, parse: (raw: string) => raw === 'true', doc: 'show this help' },
} satisfies Record<string, Setting<unknown>>;

/** Protected mode: without a token, the console's API is only safe on loopback. */
export function checkProtectedMode(listenHost: string, token: string | undefined): void {
  if (!token && !isLoopbackHost(listenHost)) {
    throw new Error(
      `refusing to listen on ${listenHost} without a token: anyone who can reach it could read every trace; set --token or TRACE_CONSOLE_TOKEN, or listen on 127.0.0.1`,
    );
  }
}
