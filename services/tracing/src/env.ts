/**
 * The OTEL_* variables of the contract, parsed once with one-line errors
 * (OpenTelemetry's environment-variable specification names and values).
 */
import { ConfigError, type Setting } from '@tfa/service-kit/config';

/** The `-d/--daemon` setting every service takes (validated by setupTracing, which knows its use). */
export const daemonSetting = {
  flag: 'daemon',
  short: 'd',
  env: 'AWS_XRAY_DAEMON_ADDRESS',
  default: '127.0.0.1:2000',
  parse: (raw: string) => raw,
  doc: 'X-Ray daemon (or trace-console) address for segments',
} satisfies Setting<string>;

/** Exporters a service can send to. */
export type ExporterName = 'xray' | 'otlp' | 'console' | 'none';
/** Propagators a service can read and write. */
export type PropagatorName = 'tracecontext' | 'baggage' | 'xray' | 'none';
/** Samplers of OTEL_TRACES_SAMPLER. */
export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio' | 'xray';

/** Tracing configuration from the environment. */
export interface TracingEnv {
  disabled: boolean;
  serviceName: string | undefined;
  exporters: ExporterName[];
  propagators: PropagatorName[];
  sampler: SamplerName;
  samplerArg: number;
  /**
   * OTEL_EXPORTER_XRAY_PROTOCOL: how the xray exporter frames datagrams. `segment` (default):
   * one segment document per datagram, what every X-Ray daemon accepts; `otlp`: ADOT's T1S
   * frames, many spans per datagram (trace-console, the daemon in AWS Lambda).
   */
  xrayProtocol: 'segment' | 'otlp';
  /** OTEL_BSP_*: how the otlp exporter batches. */
  batch: BatchEnv;
}

/** The batch span processor variables of the OpenTelemetry specification. */
export interface BatchEnv {
  /** OTEL_BSP_SCHEDULE_DELAY: ms a partial batch waits before it is sent; default 5000. */
  scheduleDelayMs: number;
  /** OTEL_BSP_MAX_QUEUE_SIZE: ended spans waiting at most; default 2048. */
  maxQueueSize: number;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE: spans per export request at most; default 512. */
  maxExportBatchSize: number;
}

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`invalid ${name} ${JSON.stringify(raw)}: expected an integer ≥ ${min}`);
  return n;
}

function list<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T[]): T[] {
  if (raw === undefined || raw.trim() === '') return fallback;
  const items = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new ConfigError(`invalid ${name} ${JSON.stringify(raw)}: ${JSON.stringify(item)} is not one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

/** Parses the tracing variables; throws ConfigError naming the bad one. */
export function parseTracingEnv(env: NodeJS.ProcessEnv = process.env): TracingEnv {
  const exporters = list('OTEL_TRACES_EXPORTER', env.OTEL_TRACES_EXPORTER, ['xray', 'otlp', 'console', 'none'] as const, ['xray']);
  const propagators = list('OTEL_PROPAGATORS', env.OTEL_PROPAGATORS, ['tracecontext', 'baggage', 'xray', 'none'] as const, ['tracecontext', 'xray']);
  const samplers = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio', 'xray'] as const;
  const [sampler] = list('OTEL_TRACES_SAMPLER', env.OTEL_TRACES_SAMPLER, samplers, ['parentbased_always_on']);
  if (env.OTEL_TRACES_SAMPLER?.includes(',')) throw new ConfigError('invalid OTEL_TRACES_SAMPLER: name one sampler');
  let samplerArg = 1;
  if (env.OTEL_TRACES_SAMPLER_ARG !== undefined && env.OTEL_TRACES_SAMPLER_ARG !== '' && sampler!.endsWith('traceidratio')) {
    samplerArg = Number(env.OTEL_TRACES_SAMPLER_ARG);
    if (!Number.isFinite(samplerArg) || samplerArg < 0 || samplerArg > 1) {
      throw new ConfigError(`invalid OTEL_TRACES_SAMPLER_ARG ${JSON.stringify(env.OTEL_TRACES_SAMPLER_ARG)}: expected a ratio 0..1`);
    }
  }
  const [xrayProtocol] = list('OTEL_EXPORTER_XRAY_PROTOCOL', env.OTEL_EXPORTER_XRAY_PROTOCOL, ['segment', 'otlp'] as const, ['segment']);
  if (env.OTEL_EXPORTER_XRAY_PROTOCOL?.includes(',')) throw new ConfigError('invalid OTEL_EXPORTER_XRAY_PROTOCOL: name one protocol (segment or otlp)');
  return {
    disabled: (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true',
    serviceName: env.OTEL_SERVICE_NAME?.trim() || undefined,
    exporters: exporters.includes('none') ? [] : exporters.filter((e, i) => exporters.indexOf(e) === i),
    propagators: propagators.includes('none') ? [] : propagators,
    sampler: sampler!,
    samplerArg,
    xrayProtocol: xrayProtocol!,
    batch: {
      scheduleDelayMs: count('OTEL_BSP_SCHEDULE_DELAY', env.OTEL_BSP_SCHEDULE_DELAY, 5000, 0),
      maxQueueSize: count('OTEL_BSP_MAX_QUEUE_SIZE', env.OTEL_BSP_MAX_QUEUE_SIZE, 2048, 1),
      // The specification caps a batch at the queue size.
      maxExportBatchSize: Math.min(count('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, 512, 1), count('OTEL_BSP_MAX_QUEUE_SIZE', env.OTEL_BSP_MAX_QUEUE_SIZE, 2048, 1)),
    },
  };
}
