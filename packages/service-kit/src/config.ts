/**
 * Configuration parsed and validated once at start, with precedence
 * flag > env > default (HotROD's services/config, fastify/demo's env.ts).
 * A bad value stops the process with one line naming the setting.
 */
import { parseArgs } from 'node:util';
import { isIP } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One setting: where it comes from, how it is parsed, and what it means. */
export interface Setting<T> {
  /** Long flag name without dashes, e.g. `listen`. */
  flag: string;
  /** Optional one-letter alias, e.g. `l`. */
  short?: string;
  /** Environment variable that supplies it when the flag is absent. */
  env?: string;
  /** Default as the user would type it (parsed like any other value); undefined = unset. */
  default?: string;
  /** Boolean flags take no value. */
  boolean?: boolean;
  /** The flag may be given more than once; its values reach `parse` joined with commas. */
  multiple?: boolean;
  /** Turns the raw text into a value, throwing an Error whose message says what was expected. */
  parse: (raw: string) => T;
  /** One line for --help and the README's configuration table. */
  doc: string;
}

/** A bad flag or env value: main() prints `message` alone and exits 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Values<S extends Record<string, Setting<unknown>>> = {
  [K in keyof S]: S[K] extends Setting<infer T> ? T | (S[K]['default'] extends string ? never : undefined) : never;
};

/** Parses argv and env against the settings; returns typed values and the positional arguments. */
export function parseConfig<S extends Record<string, Setting<any>>>(
  command: string,
  settings: S,
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
  options: { positionals?: boolean } = {},
): { values: Values<S>; positionals: string[] } {
  const spec: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const s of Object.values(settings)) {
    spec[s.flag] = { type: s.boolean ? 'boolean' : 'string', ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: spec, allowPositionals: options.positionals ?? false, strict: true });
  } catch (err) {
    throw new ConfigError(`${command}: ${(err as Error).message.split('\n')[0]} (see ${command} --help)`);
  }
  const values: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings)) {
    const fromFlag = parsed.values[s.flag];
    let raw: string | undefined;
    let source: string;
    if (fromFlag !== undefined) {
      raw = Array.isArray(fromFlag) ? fromFlag.join(',') : String(fromFlag);
      source = `--${s.flag}`;
    } else if (s.env && env[s.env] !== undefined && env[s.env] !== '') {
      raw = env[s.env];
      source = s.env;
    } else {
      raw = s.default;
      source = `--${s.flag} default`;
    }
    if (raw === undefined) {
      values[key] = s.boolean ? false : undefined;
      continue;
    }
    try {
      values[key] = s.parse(raw);
    } catch (err) {
      const shown = /token|credentials/.test(s.flag) ? '***' : JSON.stringify(raw);
      throw new ConfigError(`${command}: invalid ${source} ${shown}: ${(err as Error).message}`);
    }
  }
  return { values: values as Values<S>, positionals: parsed.positionals };
}

/** Renders --help from the settings table. */
export function helpText(command: string, usage: string, settings: Record<string, Setting<unknown>>): string {
  const lines = [`usage: ${command} ${usage}`, '', 'options:'];
  for (const s of Object.values(settings)) {
    const flag = `${s.short ? `-${s.short}, ` : '    '}--${s.flag}${s.boolean ? '' : ' VALUE'}`;
    const extra = [s.env ? `env ${s.env}` : '', s.default !== undefined ? `default ${s.default}` : ''].filter(Boolean).join('; ');
    lines.push(`  ${flag.padEnd(28)} ${s.doc}${extra ? ` (${extra})` : ''}`);
  }
  return lines.join('\n');
}

/** A `host:port` listen address; IPv6 hosts in brackets. */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port`, `[v6]:port` or `:port` (host defaults to 127.0.0.1). */
/** A setting's value as the process that owns it reads it without flags: its env var, else its default. */
export function settingFromEnv<T>(setting: Setting<T>, env: NodeJS.ProcessEnv = process.env): T | undefined {
  const raw = (setting.env && env[setting.env]) || setting.default;
  return raw === undefined ? undefined : setting.parse(raw);
}

/** `host:port`, with an IPv6 host in brackets (`[::1]:8080`): the one formatter of addresses. */
export function formatHostPort(at: HostPort): string {
  return `${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`;
}

export function parseHostPort(raw: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw.trim());
  if (!m) throw new Error('expected host:port, e.g. 127.0.0.1:8080');
  const host = m[1] ?? (m[2] || '127.0.0.1');
  const port = Number(m[3]);
  if (port > 65535) throw new Error('port must be 0..65535');
  if (m[1] && isIP(m[1]) !== 6) throw new Error('bracketed host must be an IPv6 address');
  return { host, port };
}

/** Parses a duration such as `500ms`, `30s`, `5m`, `24h`, `7d` (bare numbers are seconds). */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!m) throw new Error('expected a duration like 500ms, 30s, 5m, 24h');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

/** The slowloris guard of every service: how long a client may take to send its request headers. */
export function headersTimeoutSetting(env: string) {
  return {
    flag: 'headers-timeout',
    env,
    default: '10s',
    parse: (raw: string) => {
      const ms = parseDuration(raw);
      if (ms < 100) throw new Error('use at least 100ms');
      return ms;
    },
    doc: 'time a client has to send its request headers; a slower one gets 408 and is disconnected (slowloris guard)',
  };
}

/** Parses a byte size such as `64MiB`, `512k`, `1048576`. */
export function parseBytes(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(raw.trim());
  if (!m) throw new Error('expected a size like 64MiB, 512KiB or a number of bytes');
  const unit = (m[2] ?? 'b').toLowerCase()[0] as 'b' | 'k' | 'm' | 'g';
  const n = Math.floor(Number(m[1]) * { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit]);
  if (n < 1) throw new Error('must be at least 1 byte');
  return n;
}

/** Parses a positive integer within bounds. */
export function parseIntIn(min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^\d+$/.test(raw.trim())) throw new Error(`expected an integer ${min}..${max}`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`expected an integer ${min}..${max}`);
    return n;
  };
}

/** Parses an absolute http(s) base URL, without a trailing slash. */
export function parseBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error('expected an http(s) URL, e.g. http://127.0.0.1:8080');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('expected an http(s) URL');
  return u.href.replace(/\/+$/, '');
}

/** True when the host is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Runs a main function: a ConfigError becomes one line on stderr and exit code 2. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`fatal: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  }
}

/** The version in the package.json nearest above `moduleUrl`: the one place a version is written. */
export function packageVersion(moduleUrl: string): string {
  for (let dir = dirname(fileURLToPath(moduleUrl)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
    if (dirname(dir) === dir) return '0.0.0';
  }
}
