import type { Interceptor } from '@grpc/grpc-js';
import { clientStepOf, type ClientStep } from './client-step.js';
import { fusedClientInterceptor } from './fused-client-interceptor.js';
import { authClientInterceptor } from '../client/auth/auth-client.interceptor.js';
import type { AuthClientOptions } from '../client/auth/auth-client-options.js';
import { circuitBreakerClientInterceptor } from '../client/circuit-breaker/circuit-breaker.interceptor.js';
import type { CircuitBreakerOptions } from '../client/circuit-breaker/circuit-breaker-options.js';
import { deadlineClientInterceptor } from '../client/deadline/client-deadline.interceptor.js';
import type { DeadlineClientOptions } from '../client/deadline/client-deadline-options.js';
import { loggingClientInterceptor } from '../telemetry/logging/logging.client-interceptor.js';
import type { LoggingClientOptions } from '../telemetry/logging/logging-options.js';
import { metricsClientInterceptor } from '../telemetry/metrics/metrics.client-interceptor.js';
import type { MetricsClientOptions } from '../telemetry/metrics/metrics-options.js';
import { retryClientInterceptor } from '../client/retry/retry.interceptor.js';
import type { RetryOptions } from '../client/retry/retry-options.js';
import { tracingClientInterceptor } from '../telemetry/tracing/tracing.client-interceptor.js';
import type { TracingClientOptions } from '../telemetry/tracing/tracing-options.js';

/**
 * The client chain, application side first:
 * - deadline first: every later step (retry sleeps above all) works within it;
 * - tracing before retry: attempt spans sit under the call's client span;
 * - metrics and logging count and log the call once, with its final code;
 * - auth once per call, outside retry;
 * - retry before the circuit breaker: each attempt is what the breaker judges.
 */
export const clientChainOrder = [
  'deadline',
  'tracing',
  'metrics',
  'logging',
  'auth',
  'retry',
  'circuitBreaker',
] as const;

export type ClientChainStep = (typeof clientChainOrder)[number];

/** Options of {@link createClientChain}: one entry per concern; `false` or absent leaves it out. */
export interface ClientChainOptions {
  /** Defaults apply when absent (every call gets a deadline); `false` turns it off. */
  deadline?: DeadlineClientOptions | false;
  tracing?: TracingClientOptions | false;
  metrics?: MetricsClientOptions | false;
  logging?: LoggingClientOptions | false;
  auth?: AuthClientOptions | false;
  /** Defaults apply when absent (idempotent methods are retried); `false` turns it off. */
  retry?: RetryOptions | false;
  circuitBreaker?: CircuitBreakerOptions | false;
}

/**
 * The chain as named steps, in order, each as an interceptor of its own (what
 * {@link createClientChain} runs, fusing neighbouring steps into one layer).
 */
export function describeClientChain(
  options: ClientChainOptions,
): { step: ClientChainStep; interceptor: Interceptor }[] {
  const factories: Record<ClientChainStep, () => Interceptor | undefined> = {
    deadline: () =>
      options.deadline === false ? undefined : deadlineClientInterceptor(options.deadline ?? {}),
    tracing: () => (options.tracing ? tracingClientInterceptor(options.tracing) : undefined),
    metrics: () => (options.metrics ? metricsClientInterceptor(options.metrics) : undefined),
    logging: () => (options.logging ? loggingClientInterceptor(options.logging) : undefined),
    auth: () => (options.auth ? authClientInterceptor(options.auth) : undefined),
    retry: () =>
      options.retry === false
        ? undefined
        : retryClientInterceptor({
            ...(options.tracing && options.tracing.tracerProvider
              ? { tracerProvider: options.tracing.tracerProvider }
              : {}),
            ...options.retry,
          }),
    circuitBreaker: () =>
      options.circuitBreaker ? circuitBreakerClientInterceptor(options.circuitBreaker) : undefined,
  };
  return clientChainOrder.flatMap((step) => {
    const interceptor = factories[step]();
    return interceptor ? [{ step, interceptor }] : [];
  });
}

/**
 * Builds client interceptors in the platform's fixed order, for `createClient(…, { interceptors })`,
 * a ts-proto client's `{ interceptors }` option or NestJS `channelOptions.interceptors`: the steps
 * of {@link describeClientChain} that follow each other run as hooks of one grpc-js layer
 * ({@link fusedClientInterceptor}) rather than a layer each. Retry stays a layer of its own: it
 * makes the call below once per attempt, so the circuit breaker under it is a layer per attempt.
 */
export function createClientChain(options: ClientChainOptions): Interceptor[] {
  const interceptors: Interceptor[] = [];
  let run: ClientStep[] = [];
  const endRun = () => {
    if (run.length > 0) interceptors.push(fusedClientInterceptor(run));
    run = [];
  };
  for (const { interceptor } of describeClientChain(options)) {
    const step = clientStepOf(interceptor);
    if (step) {
      run.push(step);
      continue;
    }
    endRun();
    interceptors.push(interceptor);
  }
  endRun();
  return interceptors;
}
