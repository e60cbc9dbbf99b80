/**
 * trace-console: the local X-Ray daemon stand-in and trace console.
 * Read top to bottom: config, logger, store, (import and exit), ingest, app, UDP + TCP on
 * one port, graceful stop.
 */
import { ConfigError, helpText, parseConfig, runMain, type HostPort } from '@tfa/service-kit/config';
import { createLogger, flushLogs } from '@tfa/service-kit/logging';
import { onShutdown, limitHeaderTime } from '@tfa/service-kit/serve';
import { buildConsoleApp, buildOtlpHttpApp } from './app.ts';
import { openDoor } from './doors.ts';
import { bearerChecker } from '@tfa/service-kit/auth';
import type { AwsCredentials } from './otlp/sigv4-error.ts';
import { BrowserLogin } from './login.ts';
import { checkProtectedMode, consoleSettings } from './config.ts';
import { importFile } from './import.ts';
import { listenUdpAndTcp } from './listen.ts';
import { Diagnostics } from './ingest/diagnostics.ts';
import { Ingest } from './ingest/ingest.ts';
import { SettleWatch } from './ingest/settle.ts';
import { resolveForward, startUdp, type UdpReceiver } from './ingest/udp.ts';
import { loadSamplingRules } from './sampling/rules.ts';
import { createSamplingService } from './sampling/service.ts';
import { openTraceStore, type TraceStore, type TraceStoreApi } from './store/store.ts';
import { openThreadedTraceStore } from './store/threaded.ts';
import { openXRayState, type XRayState } from './xray/state.ts';

await runMain(async () => {
  // 1. Configuration: flags > env > defaults, validated once. `import FILE` is the one subcommand.
  const { values: cfg, positionals } = parseConfig('trace-console', consoleSettings, undefined, undefined, { positionals: true });
  if (cfg.help) {
    process.stdout.write(`${helpText('trace-console', '[options] | import FILE [--db FILE]', consoleSettings)}\n`);
    return;
  }
  const importing = positionals[0] === 'import';
  if (positionals.length > 0 && (!importing || positionals.length !== 2)) {
    throw new ConfigError(`trace-console: unexpected arguments ${JSON.stringify(positionals.join(' '))}; the only subcommand is "import FILE"`);
  }
  if (!importing) {
    try {
      checkProtectedMode(cfg.listen.host, cfg.token);
      for (const door of [cfg.otlpGrpc, cfg.otlpHttp]) if (!door.off) checkProtectedMode(door.at.host, cfg.token);
    } catch (err) {
      throw new ConfigError(`trace-console: ${(err as Error).message}`);
    }
  }
  const rules = importing ? [] : loadSamplingRules(cfg.samplingRules);
  // SigV4 on /v1/traces: --aws-credentials, or --verify-sigv4 with the usual AWS_* variables.
  let awsCredentials: AwsCredentials | undefined = cfg.awsCredentials;
  if (!awsCredentials && cfg.verifySigv4) {
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
    if (!accessKeyId || !secretAccessKey) throw new ConfigError('trace-console: --verify-sigv4 needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --aws-credentials ACCESS_KEY_ID:SECRET');
    awsCredentials = { accessKeyId, secretAccessKey };
  }
  // AWS's signer loads only when there is something to verify.
  const sigv4 = awsCredentials ? (await import('./otlp/sigv4-verify.ts')).sigv4Verifier(awsCredentials) : undefined;

  // 2. Logger.
  const logger = createLogger('trace-console');

  // 3. Store.
  // The console writes from a worker thread (the UDP socket stays drained during bursts);
  // `import` is a one-shot batch job and writes in-thread.
  let store: TraceStoreApi;
  try {
    const options = { maxTraces: cfg.maxTraces, retentionMs: cfg.retention };
    store = importing ? openTraceStore(cfg.db, options) : await openThreadedTraceStore(cfg.db, options);
  } catch (err) {
    throw new ConfigError(`trace-console: cannot open --db ${cfg.db}: ${(err as Error).message}`);
  }
  const diagnostics = new Diagnostics();

  // 4. `import FILE`: the same checks as live input, counts on stdout, then exit.
  if (importing) {
    let counts;
    try {
      counts = importFile(positionals[1]!, new Ingest(store, diagnostics), () => (store as TraceStore).flush());
    } catch (err) {
      store.close();
      const e = err as NodeJS.ErrnoException;
      throw new ConfigError(`trace-console: import ${positionals[1]}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    }
    store.close();
    const problems = Object.entries(counts.problems).map(([k, n]) => `${k} ${n}`).join(', ');
    process.stdout.write(`imported ${counts.accepted} of ${counts.documents} documents into ${cfg.db}${counts.rejected ? `; rejected ${counts.rejected}${problems ? ` (${problems})` : ''}` : ''}\n`);
    if (counts.rejected > 0) {
      for (const s of diagnostics.report()) for (const [kind, p] of Object.entries(s.problems)) process.stderr.write(`${kind}: ${p!.detail}; fix: ${p!.fix}\n`);
    }
    flushLogs(logger);
    process.exitCode = counts.accepted === 0 && counts.documents > 0 ? 1 : 0;
    return;
  }

  // 5. Ingest: one path for UDP, OTLP, PutTraceSegments.
  const settle = new SettleWatch(store, diagnostics, cfg.settle);
  const ingest = new Ingest(store, diagnostics, settle);
  const sampling = createSamplingService(rules);
  let xray: XRayState;
  try {
    xray = openXRayState(cfg.db);
  } catch (err) {
    await store.close();
    throw new ConfigError(`trace-console: cannot open --db ${cfg.db} for the X-Ray API's resources: ${(err as Error).message}`);
  }

  // 6. App, then UDP and TCP on the same port (UDP first: port 0 picks a free one).
  let forward: HostPort | undefined;
  try {
    forward = cfg.forward ? await resolveForward(cfg.forward) : undefined;
  } catch (err) {
    throw new ConfigError(`trace-console: invalid --forward ${cfg.forward!.host}:${cfg.forward!.port}: cannot resolve ${cfg.forward!.host} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let udp: UdpReceiver | undefined;
  const login = cfg.token ? new BrowserLogin() : undefined;
  const app = await buildConsoleApp({
    store,
    ingest,
    diagnostics,
    sampling,
    xray,
    xrayWriteRate: cfg.xrayWriteRate,
    logger,
    token: cfg.token,
    login,
    ui: true,
    sigv4,
    hostGuard: { listenHost: cfg.listen.host, allowHosts: cfg.allowHost ?? [] },
    runtime: () => ({ udp: { address: udp?.address, relay_dropped: udp?.relayDropped() ?? 0, forward: cfg.forward ? `${cfg.forward.host}:${cfg.forward.port}` : null } }),
  });
  limitHeaderTime(app, cfg.headersTimeout);
  const bound = await listenUdpAndTcp(app, cfg.listen, (at) => startUdp(at, ingest, { forward, onError: (err) => logger.warn({ err }, 'udp error') }));
  udp = bound.udp;
  const address = bound.address;

  // 7. The OTLP doors where SDKs send by default: gRPC 4317, HTTP 4318 (off, or busy and if-free: none).
  // grpc-js loads only when its door is on.
  const grpcDoor = await openDoor('OTLP/gRPC', '--otlp-grpc', cfg.otlpGrpc, async (at) =>
    (await import('./otlp/grpc.ts')).startGrpcDoor(at, ingest, { checkAuth: cfg.token ? bearerChecker(cfg.token, 'this trace-console needs authorization: Bearer <token> metadata') : undefined }),
  );
  const httpDoorApp = cfg.otlpHttp.off ? undefined : await buildOtlpHttpApp({ ingest, logger, token: cfg.token, sigv4 });
  if (httpDoorApp) limitHeaderTime(httpDoorApp, cfg.headersTimeout);
  const httpDoor = await openDoor('OTLP/HTTP', '--otlp-http', cfg.otlpHttp, async (at) => {
    const address = await httpDoorApp!.listen({ host: at.host, port: at.port });
    return { address, close: () => httpDoorApp!.close() };
  });
  // The token is never logged; the browser link works once and opens a cookie session.
  if (login) process.stderr.write(`trace-console: open ${address}/login?key=${login.key} in your browser (one-time link)\n`);
  logger.info({ address, udp: udp.address, otlp_grpc: grpcDoor?.address ?? null, otlp_http: httpDoor?.address ?? null, db: cfg.db, forward: cfg.forward ?? null, auth: cfg.token ? 'token' : 'loopback-only', sigv4: awsCredentials ? awsCredentials.accessKeyId : 'unchecked' }, 'trace-console listening');

  // 8. Graceful stop: stop taking datagrams and requests, commit what is queued, close the database.
  onShutdown(app, logger, async () => {
    await bound.udp.close();
    await Promise.all([grpcDoor?.close(), httpDoor?.close()]);
    settle.close();
    await store.close();
    xray.close();
  });
});
