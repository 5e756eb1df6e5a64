// Public API of @platform/observability: tracing setup, the Prometheus endpoint, the logger.
export { otlpTracesUrl, setupTracing, traceExportTarget } from './tracing/setup-tracing.js';
export type { Tracing, SetupTracingOptions } from './tracing/tracing-options.js';
export { createMetricsRegistry } from './metrics/create-metrics-registry.js';
export { startMetricsServer } from './metrics/start-metrics-server.js';
export { registeredMetric } from './metrics/registered-metric.js';
export type {
  MetricsRegistryOptions,
  MetricsServer,
  StartMetricsServerOptions,
} from './metrics/metrics-options.js';
export { createLogger } from './logging/create-logger.js';
export type { Logger, LoggerOptions, LogLevel } from './logging/logger-options.js';
