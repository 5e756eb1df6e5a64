import type { Interceptor, Metadata, StatusObject } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { clientStepInterceptor } from '../../chain/client-step-interceptor.js';
import type { ClientCallHooks } from '../../chain/client-step.js';
import { allMethods } from '../../call/method-selector.js';
import { MethodMeters, type MethodMeter } from './method-meters.js';
import type { MetricsClientOptions } from './metrics-options.js';

/**
 * Client metrics interceptor: go-grpc-prometheus's client metrics (`grpc_client_started_total`,
 * `grpc_client_handled_total` by code name, `grpc_client_handling_seconds`, message counters).
 * It sits before retries in the chain, so a retried call counts once, with its final code;
 * attempts are the retry interceptor's metrics.
 */
export function metricsClientInterceptor(options: MetricsClientOptions): Interceptor {
  const meters = new MethodMeters(options.registry, 'client', options.handlingSecondsBuckets);
  const selector = options.selector ?? allMethods;

  return clientStepInterceptor({
    name: 'metrics',
    open: ({ method }) => (selector(method) ? new MeteredCall(meters.of(method)) : undefined),
  });
}

/** One call's counts: started when it starts, handled with its final code. */
class MeteredCall implements ClientCallHooks {
  readonly #meter: MethodMeter;
  #startedAt = 0;

  constructor(meter: MethodMeter) {
    this.#meter = meter;
  }

  start(metadata: Metadata, next: (metadata: Metadata) => void): void {
    this.#startedAt = performance.now();
    this.#meter.started();
    next(metadata);
  }

  sendMessage(message: unknown, next: (message: unknown) => void): void {
    this.#meter.sent();
    next(message);
  }

  onReceiveMessage(message: unknown, next: (message: unknown) => void): void {
    this.#meter.received();
    next(message);
  }

  onReceiveStatus(status: StatusObject, next: (status: StatusObject) => void): void {
    this.#meter.handled(status.code, (performance.now() - this.#startedAt) / 1000);
    next(status);
  }
}
