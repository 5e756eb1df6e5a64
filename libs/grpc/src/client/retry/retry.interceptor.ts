import { trace } from '@opentelemetry/api';
import { tracerName } from '../../telemetry/tracing/rpc-span-reporter.js';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { describeMethod } from '../../call/method-info.js';
import { asInterceptingCall } from '../channel/as-intercepting-call.js';
import { epochMsOf } from '../channel/epoch-ms.js';
import { channelScopeOf, targetKeyOf } from '../channel/channel-scope.js';
import { judgeAttempt } from './attempt-verdict.js';
import { grpcJsRetries } from './native-retry.js';
import { RetryBudget } from './retry-budget.js';
import { retryMetrics } from './retry-metrics.js';
import type { RetryOptions } from './retry-options.js';
import { retryableByIdempotency } from './retryable-by-idempotency.js';
import { RetryingCall, type RetryPolicy } from './retrying-call.js';

const defaults = {
  maxAttempts: 4,
  initialBackoffMs: 50,
  backoffMultiplier: 2,
  maxBackoffMs: 2_000,
  maxTokens: 10,
  tokenRatio: 0.1,
};

/**
 * Client retry interceptor (gRFC A6 semantics), after auth and before the circuit breaker in
 * the client chain. It retries only calls that are safe to repeat (the proto's
 * idempotency_level, or an `idempotency-key`), only on statuses that mean "not processed"
 * (UNAVAILABLE; RESOURCE_EXHAUSTED with RetryInfo, waiting at least its delay), with
 * exponential backoff and full jitter, honouring `grpc-retry-pushback-ms`, never sleeping past
 * the deadline, and within a per-target retry budget. Retries carry
 * `grpc-previous-rpc-attempts`; each attempt is a span under the caller's span.
 *
 * Unary and server-streaming calls are retried (a server stream only before its first
 * response message); client-streaming and bidi calls never are, since their requests are not
 * kept. Methods grpc-js already retries through the channel's service config are left alone.
 */
export function retryClientInterceptor(options: RetryOptions = {}): Interceptor {
  const maxAttempts = options.maxAttempts ?? defaults.maxAttempts;
  const initialBackoffMs = options.initialBackoffMs ?? defaults.initialBackoffMs;
  const backoffMultiplier = options.backoffMultiplier ?? defaults.backoffMultiplier;
  const maxBackoffMs = options.maxBackoffMs ?? defaults.maxBackoffMs;
  const maxTokens = options.budget?.maxTokens ?? defaults.maxTokens;
  const tokenRatio = options.budget?.tokenRatio ?? defaults.tokenRatio;
  const random = options.random ?? Math.random;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`retryClientInterceptor: maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }

  const budgets = new Map<string, RetryBudget>();
  const budgetOf = (target: string) => {
    let budget = budgets.get(target);
    if (!budget) budgets.set(target, (budget = new RetryBudget(maxTokens, tokenRatio)));
    return budget;
  };
  const policy: RetryPolicy = {
    tracer: (options.tracerProvider ?? trace.getTracerProvider()).getTracer(tracerName),
    maxAttempts,
    backoffMs: (retry) =>
      random() * Math.min(maxBackoffMs, initialBackoffMs * backoffMultiplier ** (retry - 1)),
    metrics: retryMetrics(options.registry),
    isRetryable: options.isRetryable ?? retryableByIdempotency,
  };

  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = describeMethod(definition.path, definition.requestStream, definition.responseStream);
    const scope = channelScopeOf(callOptions);
    if (scope && grpcJsRetries(scope.channelOptions, method))
      return asInterceptingCall(nextCall(callOptions));

    const target = targetKeyOf(callOptions);
    const budget = budgetOf(target);
    if (!method.requestStream) {
      return new InterceptingCall(
        new RetryingCall({
          policy,
          method,
          target,
          deadline: epochMsOf(callOptions.deadline),
          budget,
          nextCall,
          options: callOptions,
        }),
      );
    }

    // Client-streaming and bidi calls pass through; their outcome still feeds the budget.
    return new InterceptingCall(nextCall(callOptions), {
      start: (metadata, _listener, next) =>
        next(metadata, {
          onReceiveStatus: (status, nextStatus) => {
            if (status.code === 0) budget.recordSuccess();
            else if (judgeAttempt(status).retryableCode) budget.recordFailure();
            nextStatus(status);
          },
        }),
    });
  };
}
