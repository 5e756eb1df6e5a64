import type { Registry } from 'prom-client';
import type { MethodSelector } from '../../call/method-selector.js';

/** Options of {@link metricsServerInterceptor} and {@link metricsClientInterceptor}. */
export interface MetricsInterceptorOptions {
  /**
   * Registry the metrics are registered in, once: interceptors built on the same registry share
   * them. Required (the process's registry from `createMetricsRegistry`, served at /metrics).
   */
  registry: Registry;
  /**
   * Upper bounds of the `grpc_*_handling_seconds` histogram buckets, in seconds. Only the first
   * interceptor built on a registry sets them. Defaults to 1 ms … 10 s:
   * 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10.
   */
  handlingSecondsBuckets?: readonly number[];
  /** Methods to measure. Defaults to every method. */
  selector?: MethodSelector;
}

/** Options of {@link metricsServerInterceptor}. */
export type MetricsServerOptions = MetricsInterceptorOptions;

/** Options of {@link metricsClientInterceptor}. */
export type MetricsClientOptions = MetricsInterceptorOptions;
