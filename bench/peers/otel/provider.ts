/**
 * The stock OpenTelemetry JS 2.x provider both otel peers use: NodeTracerProvider (AlwaysOn),
 * no span processor for `none`, BatchSpanProcessor + the OTLP/HTTP (protobuf) exporter to
 * URL/v1/traces for `otlp`; registered globally. Returns the flush a shutdown runs.
 */
export async function registerProvider(mode: string, otlp: string | undefined): Promise<() => Promise<unknown>> {
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const spanProcessors = [];
  if (mode === 'otlp') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlp}/v1/traces` })));
  }
  const provider = new NodeTracerProvider({ spanProcessors });
  provider.register();
  return () => provider.shutdown();
}
