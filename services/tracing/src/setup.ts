/**
 * The one place that touches the OpenTelemetry SDK (HotROD's pkg/tracing):
 * provider, context, propagators, sampler, exporters, log correlation and
 * shutdown. Services call `setupTracing` before they build their app and
 * otherwise use only @opentelemetry/api.
 */
import { context, propagation, trace, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { ConfigError } from '@tfa/service-kit/config';
import { addLogMixin } from '@tfa/service-kit/logging';
import { currentXRayTraceId, logFields } from './annotate.ts';
import { traceUndici } from './client.ts';
import { parseTracingEnv, type TracingEnv } from './env.ts';
import { LogSpanProcessor } from './log-processor.ts';
import { OtlpSpanProcessor } from './otlp-processor.ts';
import { directSpanFactory } from './direct-span.ts';
import { presampledSampler, registerServerSpanStarter, serverSpanStarter } from './presample.ts';
import { lazySigv4Exporter, sigv4Target } from './sigv4-target.ts';
import { parseDaemonAddress, type DaemonAddress } from '@tfa/otel-xray/wire/daemon-address';
import { XRayIdGenerator } from '@tfa/otel-xray/ids';
import { XRayOtlpUdpSpanProcessor } from '@tfa/otel-xray/otlp-udp-processor';
import { XRayDaemonSpanProcessor } from '@tfa/otel-xray/processor';
import { PreciseTimeSpanProcessor } from '@tfa/otel-xray/precise-time';
import { AWSXRayPropagator } from '@tfa/otel-xray/propagator';
import { deferredDecisionSampler } from '@tfa/otel-xray/sampler';
import { createXRayRemoteSampler } from '@tfa/otel-xray/remote-sampler/sampler';
import { TraceIdRatioSampler } from './ratio-sampler.ts';

/** What a service tells the tracing setup. */
export interface TracingOptions {
  /** Default service name (OTEL_SERVICE_NAME wins). */
  serviceName: string;
  serviceVersion: string;
  /** X-Ray daemon address (`-d` / AWS_XRAY_DAEMON_ADDRESS). */
  daemonAddress: string;
  logger: Logger;
  /** Instrumented callees by origin, so their client subsegments carry the callee's name. */
  peerServices?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
}

/** The running tracing setup. */
export interface Tracing {
  /** False when OTEL_SDK_DISABLED=true: no spans, no headers. */
  enabled: boolean;
  tracer: Tracer;
  /** The current request's X-Ray trace id. */
  traceId: () => string | null;
  /** Flushes pending spans and stops exporters. */
  shutdown: () => Promise<void>;
}

/** Configures OpenTelemetry for a service from the OTEL_* variables of the contract. */
export function setupTracing(options: TracingOptions): Tracing {
  const env = parseTracingEnv(options.env);
  if (env.disabled) return { enabled: false, tracer: trace.getTracer('disabled'), traceId: () => null, shutdown: async () => {} };
  const serviceName = env.serviceName ?? options.serviceName;

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: propagators(env) }));

  const daemon = daemonAddress(options.daemonAddress);
  const stops: (() => void)[] = [];
  const ids = new XRayIdGenerator();
  const composed = sampler(env, () => {
    // Centralized rules and quotas from the daemon's TCP side (trace-console, or the real daemon's proxy).
    const remote = createXRayRemoteSampler({ endpoint: daemon.tcp, serviceName, logger: options.logger });
    stops.push(() => remote.shutdown());
    return remote;
  });
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': serviceName, 'service.version': options.serviceVersion })),
    idGenerator: ids,
    sampler: presampledSampler(composed),
    spanProcessors: processors(env, daemon, options),
  });
  trace.setGlobalTracerProvider(provider);
  const tracer = trace.getTracer(serviceName, options.serviceVersion);
  withoutSelfMetrics(tracer);
  // Only X-Ray's rules read a request's method, host and path.
  registerServerSpanStarter(tracer, serverSpanStarter(tracer, composed, ids, env.sampler === 'xray', directSpanFactory(tracer)));
  const stopUndici = traceUndici(tracer, { peerServices: options.peerServices });

  addLogMixin(() => {
    const sc = trace.getActiveSpan()?.spanContext();
    return sc ? logFields(sc) : {};
  });

  return {
    enabled: true,
    tracer,
    traceId: currentXRayTraceId,
    shutdown: async () => {
      stopUndici();
      for (const stop of stops) stop();
      await provider.shutdown().catch((err) => options.logger.warn({ err }, 'trace export at shutdown failed'));
    },
  };
}

/**
 * The 3.x SDK counts every span in its own `otel.sdk.span.*` metrics, building two
 * attribute objects per span even with no meter provider (its instruments are no-ops then).
 * We export no SDK metrics, and the SDK has no switch for it: its per-tracer counter is
 * replaced by one that does nothing (skipped if a future SDK renames it).
 */
function withoutSelfMetrics(tracer: Tracer): void {
  const t = tracer as Tracer & { _tracerMetrics?: { startSpan?: unknown } };
  if (typeof t._tracerMetrics?.startSpan === 'function') t._tracerMetrics = { startSpan: () => undefined };
}

function propagators(env: TracingEnv): TextMapPropagator[] {
  return env.propagators.map((name) => {
    switch (name) {
      case 'tracecontext':
        return new W3CTraceContextPropagator();
      case 'baggage':
        return new W3CBaggagePropagator();
      default:
        return new AWSXRayPropagator();
    }
  });
}

function daemonAddress(raw: string): DaemonAddress {
  try {
    return parseDaemonAddress(raw);
  } catch (err) {
    throw new ConfigError(`invalid daemon address ${JSON.stringify(raw)} (--daemon / AWS_XRAY_DAEMON_ADDRESS): ${(err as Error).message}`);
  }
}

function sampler(env: TracingEnv, xray: () => Sampler): Sampler {
  switch (env.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioSampler(env.samplerArg);
    case 'parentbased_always_off':
      return deferredDecisionSampler(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return deferredDecisionSampler(new TraceIdRatioSampler(env.samplerArg));
    case 'xray': {
      const remote = xray();
      return deferredDecisionSampler(remote, { delegate: new ParentBasedSampler({ root: remote }) });
    }
    default:
      // A caller's decision (traceparent flags, Sampled=0/1) is honoured; Sampled=? asks us.
      return deferredDecisionSampler(new AlwaysOnSampler(), { delegate: new ParentBasedSampler({ root: new AlwaysOnSampler() }) });
  }
}

function processors(env: TracingEnv, daemon: DaemonAddress, options: TracingOptions): SpanProcessor[] {
  const exporters = env.exporters.map((name): SpanProcessor => {
    switch (name) {
      case 'xray': {
        if (env.xrayProtocol === 'otlp') {
          return new XRayOtlpUdpSpanProcessor({
            endpoint: daemon.udp,
            onDrop: (summary) => options.logger.warn({ dropped: summary }, 'trace spans dropped'),
          });
        }
        return new XRayDaemonSpanProcessor({
          endpoint: daemon.udp,
          onDrop: (summary) => options.logger.warn({ dropped: summary }, 'trace segments dropped'),
        });
      }
      case 'otlp':
      {
        // The official serializer and transport read OTEL_EXPORTER_OTLP_* (endpoint, headers, compression, timeout) themselves;
        // toward X-Ray's OTLP endpoint (or with OTEL_EXPORTER_OTLP_SIGV4=on) a SigV4-signing transport takes over.
        const signed = sigv4Target(options.env);
        return new OtlpSpanProcessor({
          ...env.batch,
          exporter: signed ? lazySigv4Exporter(signed) : undefined,
          onDrop: (summary) => options.logger.warn({ dropped: summary }, 'trace spans dropped'),
        });
      }
      default:
        return new LogSpanProcessor(options.logger);
    }
  });
  // First, so that every exporter reads sub-millisecond start times on one anchor: with the
  // SDK's whole-millisecond starts, a child could end after its parent.
  return exporters.length > 0 ? [new PreciseTimeSpanProcessor(), ...exporters] : exporters;
}
