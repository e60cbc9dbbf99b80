/**
 * Whether the otlp exporter signs with SigV4 and for which region, decided at start from
 * the environment; the signing transport itself (./sigv4.ts, AWS's signer and credential
 * chain, about a second of start-up) loads on the first export only.
 */
import { ExportResultCode } from '@opentelemetry/core';
import { ConfigError } from '@tfa/service-kit/config';
import type { BatchExporter } from './otlp-processor.ts';
import type { SigV4Target } from './sigv4.ts';

export type { SigV4Target } from './sigv4.ts';

/** X-Ray's OTLP host, `xray.<region>.amazonaws.com` (and the China partition's `.com.cn`). */
const XRAY_HOST = /^xray\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

/** The traces URL the OTLP exporter uses, by the OpenTelemetry environment rules. */
function tracesUrl(env: NodeJS.ProcessEnv): string {
  const signal = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (signal) return signal;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || 'http://localhost:4318';
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Whether the otlp exporter signs, and for what: on for X-Ray's OTLP host, or whatever
 * the endpoint with OTEL_EXPORTER_OTLP_SIGV4=on (a local trace-console that verifies, a
 * proxy); off with OTEL_EXPORTER_OTLP_SIGV4=off. Region: the X-Ray host's, else AWS_REGION
 * or AWS_DEFAULT_REGION. Throws ConfigError for a bad value or a missing region.
 */
export function sigv4Target(env: NodeJS.ProcessEnv = process.env): SigV4Target | undefined {
  const mode = (env.OTEL_EXPORTER_OTLP_SIGV4 ?? '').trim().toLowerCase();
  if (mode !== '' && mode !== 'on' && mode !== 'off' && mode !== 'auto') throw new ConfigError(`invalid OTEL_EXPORTER_OTLP_SIGV4 ${JSON.stringify(env.OTEL_EXPORTER_OTLP_SIGV4)}: expected on, off or auto`);
  if (mode === 'off') return undefined;
  const url = tracesUrl(env);
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    throw new ConfigError(`invalid OTLP traces endpoint ${JSON.stringify(url)} (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT)`);
  }
  const fromHost = XRAY_HOST.exec(host)?.[1];
  if (!fromHost && mode !== 'on') return undefined;
  const region = fromHost ?? (env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim());
  if (!region) throw new ConfigError('OTEL_EXPORTER_OTLP_SIGV4=on needs a region: set AWS_REGION (the endpoint is not xray.<region>.amazonaws.com)');
  return { url, region };
}

/** The signing exporter, loaded when the first batch goes out. */
export function lazySigv4Exporter(target: SigV4Target): BatchExporter {
  let real: Promise<BatchExporter> | undefined;
  const get = () => (real ??= import('./sigv4.ts').then((m) => m.sigv4BatchExporter(target)));
  return {
    export(batch, done) {
      get().then(
        (exporter) => exporter.export(batch, done),
        (error: Error) => done({ code: ExportResultCode.FAILED, error }),
      );
    },
    async forceFlush() {
      if (real) await (await real).forceFlush();
    },
    async shutdown() {
      if (real) await (await real).shutdown();
    },
  };
}
