import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AlwaysOnSampler, BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { otlpTracesUrl } from '@platform/observability';

/**
 * The OpenTelemetry SDK as its getting-started guide sets it up, for the peers: a Node tracer
 * provider sampling every call, a batch processor exporting OTLP/HTTP protobuf to the runner's
 * loopback sink (OTEL_EXPORTER_OTLP_ENDPOINT, as the chain's), registered globally (context
 * manager and W3C propagation). Returns its shutdown.
 */
export function setupStockTracing(): () => Promise<void> {
  const provider = new NodeTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(process.env) }))],
  });
  provider.register();
  return () => provider.shutdown();
}
