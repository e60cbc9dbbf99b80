/**
 * Client spans for undici (the fetcher's upstream GETs and its archiver calls),
 * from undici's diagnostics channels: no monkey-patching. Only requests made
 * inside a traced request get a span (health polls do not), and the trace
 * context is always injected so a caller's Sampled=0 travels downstream.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { context, propagation, SpanKind, SpanStatusCode, trace, TraceFlags, type Span, type TextMapSetter, type Tracer } from '@opentelemetry/api';

interface UndiciRequest {
  origin: string | URL;
  method: string;
  path: string;
  addHeader(name: string, value: string): unknown;
}

/** Options of the undici instrumentation. */
export interface ClientTracingOptions {
  /** Logical names of instrumented callees by origin, e.g. {'http://127.0.0.1:8080': 'archiver'}. */
  peerServices?: Record<string, string>;
}

const ADD_HEADER: TextMapSetter<UndiciRequest> = { set: (r, k, v) => void r.addHeader(k, v) };

/** Subscribes to undici's channels; returns an unsubscribe function. */
export function traceUndici(tracer: Tracer, options: ClientTracingOptions = {}): () => void {
  const spans = new WeakMap<object, Span>();
  const peers = new Map(Object.entries(options.peerServices ?? {}).map(([k, v]) => [new URL(k).origin, v]));

  const onCreate = (message: unknown) => {
    const { request } = message as { request: UndiciRequest };
    const parent = context.active();
    const parentSpan = trace.getSpan(parent);
    if (!parentSpan) return;
    if (!parentSpan.isRecording() && (parentSpan.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) {
      // An unsampled request's calls would get non-recording spans anyway (every sampler
      // here is parent-based for local parents): only the decision travels, no span, no URL.
      propagation.inject(parent, request, ADD_HEADER);
      return;
    }
    const origin = typeof request.origin === 'string' ? new URL(request.origin) : request.origin;
    const peer = peers.get(origin.origin);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': request.method,
          'url.full': `${origin.origin}${request.path}`,
          'server.address': origin.hostname.replace(/^\[|\]$/g, ''),
          'server.port': Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)),
          ...(peer ? { 'peer.service': peer, 'aws.xray.traced': true } : {}),
        },
      },
      parent,
    );
    spans.set(request, span);
    propagation.inject(trace.setSpan(parent, span), request, ADD_HEADER);
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    spans.get(request)?.setAttribute('http.response.status_code', response.statusCode);
  };
  const onDone = (message: unknown) => {
    const { request } = message as { request: object };
    const span = spans.get(request);
    if (span) {
      spans.delete(request);
      span.end();
    }
  };
  const onError = (message: unknown) => {
    const { request, error } = message as { request: object; error: Error & { code?: string } };
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    span.addEvent('exception', { 'exception.type': error.code ?? error.name, 'exception.message': error.message });
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    span.end();
  };
  const subs: [string, (m: unknown) => void][] = [
    ['undici:request:create', onCreate],
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onDone],
    ['undici:request:error', onError],
  ];
  for (const [name, fn] of subs) diagnosticsChannel.subscribe(name, fn);
  return () => {
    for (const [name, fn] of subs) diagnosticsChannel.unsubscribe(name, fn);
  };
}
