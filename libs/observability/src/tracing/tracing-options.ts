import type { Attributes } from '@opentelemetry/api';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace-node';

/** Options of {@link setupTracing}. */
export interface SetupTracingOptions {
  /** `service.name` of every span, for example `order-service`. Required. */
  serviceName: string;
  /** `service.version` of every span. Defaults to none. */
  serviceVersion?: string;
  /** Further resource attributes (`deployment.environment.name` …). Defaults to none. */
  resourceAttributes?: Attributes;
  /**
   * Decides which traces are recorded. Defaults to the `OTEL_TRACES_SAMPLER` environment
   * variable, else parent-based always-on (follow the caller's decision, record new traces).
   */
  sampler?: Sampler;
  /**
   * Span processors added to the OTLP exporter (if any), for example a `SimpleSpanProcessor`
   * over an `InMemorySpanExporter` in tests. Defaults to none.
   */
  spanProcessors?: readonly SpanProcessor[];
  /**
   * Where the exporter is read from: `OTEL_TRACES_EXPORTER` (`otlp`, `zipkin` or `none`; unset,
   * OTLP when an endpoint is set), `OTEL_EXPORTER_ZIPKIN_ENDPOINT` for Zipkin, and for OTLP
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL), else `OTEL_EXPORTER_OTLP_ENDPOINT` (the
   * base URL, `/v1/traces` is appended). Defaults to `process.env`.
   */
  env?: NodeJS.ProcessEnv;
}

/** The tracing set up by {@link setupTracing}. */
export interface Tracing {
  /** The URL spans are exported to (OTLP or Zipkin), or `undefined` when none is configured. */
  readonly exportUrl: string | undefined;
  /** Exports the spans still buffered. */
  forceFlush(): Promise<void>;
  /**
   * Exports the spans still buffered, stops the processors, and unregisters the global
   * tracer provider, propagator and context manager. Call once, at process shutdown.
   */
  shutdown(): Promise<void>;
}
