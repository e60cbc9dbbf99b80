/**
 * OpenTelemetry JS <-> AWS X-Ray. Add X-Ray to an OTel JS app:
 *
 *   const provider = new TracerProvider({
 *     idGenerator: new XRayIdGenerator(),
 *     spanProcessors: [new PreciseTimeSpanProcessor(), new XRayDaemonSpanProcessor({ endpoint: parseDaemonAddress(process.env.AWS_XRAY_DAEMON_ADDRESS ?? '127.0.0.1:2000').udp })],
 *   });
 *   trace.setGlobalTracerProvider(provider);
 *   propagation.setGlobalPropagator(new AWSXRayPropagator());
 *
 * The wire part (segment types, translator, fit, ids, sampling shapes) is `@tfa/otel-xray/wire`.
 */
export { XRayDaemonSpanProcessor, type XRayDaemonProcessorOptions, type ProcessorCounters, type DropSummary } from './processor.ts';
export { XRayOtlpUdpSpanProcessor, type XRayOtlpUdpProcessorOptions } from './otlp-udp-processor.ts';
export { XRayIdGenerator, toXRayTraceId, fromXRayTraceId, isValidXRayTraceId } from './ids.ts';
export { AWSXRayPropagator, parseTraceHeader, formatTraceHeader, XRAY_TRACE_HEADER } from './propagator.ts';
export { createXRayRemoteSampler, type XRayRemoteSampler, type XRayRemoteSamplerOptions } from './remote-sampler/sampler.ts';
export { deferredDecisionSampler } from './sampler.ts';
export { DocumentEncoder, DAEMON_HEADER } from './encode.ts';
export { PreciseTimeSpanProcessor, type PreciseClockSource } from './precise-time.ts';
export { fromReadableSpan } from './readable-span.ts';
export { parseDaemonAddress } from './wire/daemon-address.ts';
