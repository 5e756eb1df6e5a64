import type { Registry } from 'prom-client';

/** Options of {@link createMetricsRegistry}. */
export interface MetricsRegistryOptions {
  /**
   * Labels added to every metric of the registry, for example `{ service: 'order-service' }`.
   * Defaults to none.
   */
  defaultLabels?: Record<string, string>;
  /**
   * Whether to register the process and Node.js runtime metrics (CPU, memory, event loop lag,
   * GC, handles). Defaults to true.
   */
  collectDefaultMetrics?: boolean;
}

/** Options of {@link startMetricsServer}. */
export interface StartMetricsServerOptions {
  /** TCP port to listen on; 0 picks a free one (read it from the result). Required. */
  port: number;
  /** Interface to listen on. Defaults to `0.0.0.0`, so Prometheus can scrape the pod. */
  host?: string;
  /** The registry served at `GET /metrics`. Required. */
  registry: Registry;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The port it listens on (the one picked when 0 was asked). */
  readonly port: number;
  /** Stops listening and closes open scrape connections. */
  close(): Promise<void>;
}
