import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Tracing, SetupTracingOptions } from './tracing-options.js';

/** The OTLP/HTTP traces URL the environment configures, per the OTLP exporter specification. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const tracesEndpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (tracesEndpoint) return tracesEndpoint;
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (endpoint) return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

/** The batch processor's delay from OTEL_BSP_SCHEDULE_DELAY (ms), as the SDK specification names it. */
function batchOptions(env: NodeJS.ProcessEnv): { scheduledDelayMillis?: number } {
  const delay = Number(env['OTEL_BSP_SCHEDULE_DELAY'] ?? Number.NaN);
  return Number.isInteger(delay) && delay >= 0 ? { scheduledDelayMillis: delay } : {};
}

/**
 * Sets up OpenTelemetry tracing for the process: a Node tracer provider registered as the
 * global one, W3C trace context + baggage propagation, and AsyncLocalStorage context.
 * Spans are always created (so logs carry trace ids) but exported over OTLP (protobuf, in
 * batches) only when an endpoint is configured.
 *
 * Call it once, before the servers and clients start. It refuses to run when a global tracer
 * provider is already registered (another SDK set up, or a missing `shutdown()`), since spans
 * would silently go to the other one.
 */
export function setupTracing(options: SetupTracingOptions): Tracing {
  const env = options.env ?? process.env;
  const exportUrl = otlpTracesUrl(env);
  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (exportUrl) {
    spanProcessors.unshift(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: exportUrl }), batchOptions(env)),
    );
  }

  const resource = defaultResource().merge(
    resourceFromAttributes({
      ...options.resourceAttributes,
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
  );
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors,
    ...(options.sampler ? { sampler: options.sampler } : {}),
  });

  if (!trace.setGlobalTracerProvider(provider)) {
    throw new Error(
      'setupTracing: a global OpenTelemetry tracer provider is already registered; set up tracing once per process',
    );
  }
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );

  let shutdown: Promise<void> | undefined;
  return {
    exportUrl,
    forceFlush: () => provider.forceFlush(),
    shutdown: () =>
      (shutdown ??= provider.shutdown().finally(() => {
        trace.disable();
        propagation.disable();
        context.disable();
      })),
  };
}
