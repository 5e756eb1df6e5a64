import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
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

/**
 * Where spans go, from the standard `OTEL_TRACES_EXPORTER`: `otlp` (OTLP/HTTP protobuf to
 * {@link otlpTracesUrl}), `zipkin` (Zipkin's JSON v2 to `OTEL_EXPORTER_ZIPKIN_ENDPOINT`, default
 * `http://localhost:9411/api/v2/spans`; `npm run dev`'s trace UI) or `none`. Unset, OTLP when an
 * OTLP endpoint is configured, else nothing. Throws on another value, so a typo is not silence.
 */
export function traceExportTarget(
  env: NodeJS.ProcessEnv,
): { exporter: 'otlp' | 'zipkin'; url: string } | undefined {
  const names = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const otlpUrl = otlpTracesUrl(env);
  if (names.length === 0) return otlpUrl ? { exporter: 'otlp', url: otlpUrl } : undefined;
  if (names.length > 1 || !['otlp', 'zipkin', 'none'].includes(names[0] as string)) {
    throw new Error(
      `OTEL_TRACES_EXPORTER=${env['OTEL_TRACES_EXPORTER']}: expected one of otlp, zipkin, none`,
    );
  }
  if (names[0] === 'zipkin') {
    const url = env['OTEL_EXPORTER_ZIPKIN_ENDPOINT']?.trim() || 'http://localhost:9411/api/v2/spans';
    return { exporter: 'zipkin', url };
  }
  if (names[0] === 'otlp') return { exporter: 'otlp', url: otlpUrl ?? 'http://localhost:4318/v1/traces' };
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
 * Spans are always created (so logs carry trace ids) but exported (in batches) only when the
 * environment says where: {@link traceExportTarget} (OTLP, or Zipkin on `npm run dev`).
 *
 * Call it once, before the servers and clients start. It refuses to run when a global tracer
 * provider is already registered (another SDK set up, or a missing `shutdown()`), since spans
 * would silently go to the other one.
 */
export function setupTracing(options: SetupTracingOptions): Tracing {
  const env = options.env ?? process.env;
  const target = traceExportTarget(env);
  const exportUrl = target?.url;
  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (target) {
    const exporter =
      target.exporter === 'zipkin'
        ? new ZipkinExporter({ url: target.url, serviceName: options.serviceName })
        : new OTLPTraceExporter({ url: target.url });
    spanProcessors.unshift(new BatchSpanProcessor(exporter, batchOptions(env)));
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
