/**
 * npm start: trace-console, archiver and fetcher together, each started only
 * when the one before answers /health, with the services sending segments to
 * the console. Output is prefixed per service; Ctrl-C stops all three
 * gracefully (a second Ctrl-C kills at once). No child outlives this process.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { formatHostPort, helpText, parseConfig, runMain, settingFromEnv, type HostPort } from '@tfa/service-kit/config';
import { Child, type OutputStyle } from './start/child.ts';
import { portFree } from './start/ports.ts';
import { DEMO_SITE_PORT } from './demo/site.ts';
import { archiverSettings } from '@tfa/archiver/config';
import { fetcherSettings } from '@tfa/fetcher/config';
import { consoleSettings } from '@tfa/trace-console/config';

const settings = {
  raw: { flag: 'raw', boolean: true, parse: (r: string) => r === 'true', doc: 'show the services\' raw JSON log lines' },
  healthTimeout: { flag: 'health-timeout', default: '60', parse: (r: string) => Number(r) * 1000, doc: 'seconds each service gets to become healthy' },
  help: { flag: 'help', short: 'h', boolean: true, parse: (r: string) => r === 'true', doc: 'show this help' },
};

interface Service {
  name: string;
  script: string;
  env: string;
  at: HostPort;
  udp?: boolean;
  args: string[];
  extraEnv: NodeJS.ProcessEnv;
}

const hostPort = formatHostPort;

await runMain(async () => {
  const { values: cfg } = parseConfig('npm start', settings);
  if (cfg.help) {
    process.stdout.write(`${helpText('npm start --', '[--raw]', settings)}\n`);
    return;
  }
  const style: OutputStyle = { raw: !!cfg.raw, color: !!process.stdout.isTTY && !process.env.NO_COLOR };
  // Where each will listen, as each reads it (its env var, else its own default).
  const consoleAt = settingFromEnv(consoleSettings.listen)!;
  const archiverAt = settingFromEnv(archiverSettings.listen)!;
  const fetcherAt = settingFromEnv(fetcherSettings.listen)!;
  // A token for this run, handed to both services and never printed.
  const token = process.env.ARCHIVER_TOKEN || randomBytes(24).toString('hex');
  const daemon = hostPort(consoleAt);
  // The console takes ADOT's T1S frames: many spans per datagram instead of one segment each.
  const xrayProtocol = process.env.OTEL_EXPORTER_XRAY_PROTOCOL || 'otlp';
  const services: Service[] = [
    { name: 'console', script: '@tfa/trace-console/main', env: 'TRACE_CONSOLE_LISTEN', at: consoleAt, udp: true, args: ['--listen', daemon], extraEnv: {} },
    { name: 'archiver', script: '@tfa/archiver/main', env: 'ARCHIVER_LISTEN', at: archiverAt, args: ['--listen', hostPort(archiverAt)], extraEnv: { ARCHIVER_TOKEN: token, AWS_XRAY_DAEMON_ADDRESS: daemon, OTEL_EXPORTER_XRAY_PROTOCOL: xrayProtocol } },
    {
      name: 'fetcher',
      script: '@tfa/fetcher/main',
      env: 'FETCHER_LISTEN',
      at: fetcherAt,
      args: ['--listen', hostPort(fetcherAt)],
      // The demo site's port is allowed by default so `npm run demo` works against this stack.
      extraEnv: { ARCHIVER_TOKEN: token, ARCHIVER_URL: `http://${hostPort(archiverAt)}`, AWS_XRAY_DAEMON_ADDRESS: daemon, OTEL_EXPORTER_XRAY_PROTOCOL: xrayProtocol, FETCHER_ALLOW: process.env.FETCHER_ALLOW ?? `127.0.0.1:${DEMO_SITE_PORT}` },
    },
  ];

  // 1. Every port must be free before anything starts, or the message names the way out.
  for (const s of services) {
    if (!(await portFree(s.at.host, s.at.port, s.udp))) {
      const other = { ...s.at, port: s.at.port + 10000 > 65535 ? s.at.port - 1 : s.at.port + 10000 };
      process.stderr.write(`npm start: ${hostPort(s.at)} (${s.name}) is already in use; stop what holds it or move it with ${s.env}=${hostPort(other)}\n`);
      process.exit(1);
    }
  }

  const children: Child[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    stopping = true;
    for (const c of [...children].reverse()) c.signal('SIGTERM');
    const killer = setTimeout(() => children.forEach((c) => c.signal('SIGKILL')), 10_000);
    await Promise.all(children.map((c) => c.exited));
    clearTimeout(killer);
    process.exit(code);
  };
  let firstSignalAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // npm forwards the terminal's Ctrl-C that we also receive directly: one press arrives twice.
    if (firstSignalAt && Date.now() - firstSignalAt < 500) return;
    if (firstSignalAt) {
      for (const c of children) c.signal('SIGKILL');
      process.stderr.write('\nnpm start: killed\n');
      // Reap them (SIGKILL is immediate) so no zombie outlives us.
      void Promise.all(children.map((c) => c.exited)).then(() => process.exit(130));
      return;
    }
    firstSignalAt = Date.now();
    process.stderr.write(`\nnpm start: ${sig}, stopping (press Ctrl-C again to kill)\n`);
    void stopAll(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // 2. Start each service once the one before is healthy; a death at any time stops the rest.
  const started = Date.now();
  for (const [i, s] of services.entries()) {
    const child = new Child(s.name, i, fileURLToPath(import.meta.resolve(s.script)), s.args, { ...process.env, ...s.extraEnv }, style);
    children.push(child);
    void child.exited.then(({ code, signal }) => {
      if (stopping) return;
      process.stderr.write(`npm start: ${s.name} exited (${signal ?? `code ${code}`}); its last lines:\n${child.lastLines().map((l) => `  ${l}`).join('\n')}\n`);
      void stopAll(1);
    });
    const health = await child.waitHealthy(`http://${hostPort(s.at)}/health`, cfg.healthTimeout);
    if (health === 'exited') await new Promise(() => {}); // the exit handler above reports and stops
    if (health === 'timeout') {
      stopping = true;
      process.stderr.write(`npm start: ${s.name} did not become healthy within ${cfg.healthTimeout / 1000}s; its last lines:\n${child.lastLines().map((l) => `  ${l}`).join('\n')}\n`);
      await stopAll(1);
    }
  }

  // 3. The banner: the console first, then two things to try.
  const bold = (t: string) => (style.color ? `\x1b[1m${t}\x1b[0m` : t);
  process.stdout.write(
    [
      '',
      `  ${bold('All three are up')} in ${((Date.now() - started) / 1000).toFixed(1)}s.`,
      '',
      `  trace-console  http://${hostPort(consoleAt)}/        <- open this: traces, timeline, service map`,
      `  archiver       http://${hostPort(archiverAt)}/docs`,
      `  fetcher        http://${hostPort(fetcherAt)}/docs`,
      '',
      '  Try:',
      '    npx fetcher-cli fetch https://example.com/',
      '    npx archiver-cli list',
      '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
});
