import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MetricsRegistryOptions } from './metrics-options.js';

/**
 * A Prometheus registry for one process. Use one registry per process (passed to every metrics
 * interceptor and served by {@link startMetricsServer}) rather than prom-client's global one,
 * so tests and several servers in one process never share counters by accident.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.collectDefaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
