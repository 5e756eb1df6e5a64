import { Counter, type Registry } from 'prom-client';

/** The retry interceptor's Prometheus counters; no-ops without a registry. */
export interface RetryMetrics {
  retried(service: string, method: string, code: string): void;
  budgetExhausted(target: string): void;
}

function counterOn(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  // Several interceptors (one per client, per test) may share a registry: reuse the metric.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function retryMetrics(registry: Registry | undefined): RetryMetrics {
  if (!registry) return { retried: () => undefined, budgetExhausted: () => undefined };
  const retries = counterOn(
    registry,
    'grpc_client_retries_total',
    'Client call attempts retried, by the status code of the attempt that failed.',
    ['grpc_service', 'grpc_method', 'grpc_code'],
  );
  const exhausted = counterOn(
    registry,
    'grpc_client_retry_budget_exhausted_total',
    'Retries not made because the target retry budget was exhausted.',
    ['target'],
  );
  return {
    retried: (service, method, code) =>
      retries.inc({ grpc_service: service, grpc_method: method, grpc_code: code }),
    budgetExhausted: (target) => exhausted.inc({ target }),
  };
}
