import type { TracerProvider } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';

/** The per-target retry budget (gRFC A6 `retryThrottling`). */
export interface RetryBudgetOptions {
  /**
   * Tokens of a target's bucket when full. Every failed attempt takes one, every successful
   * call gives back `tokenRatio`; retries are allowed only while more than half are left.
   * Defaults to 10.
   */
  maxTokens?: number;
  /** Tokens a successful call gives back. Defaults to 0.1. */
  tokenRatio?: number;
}

/** Options of the client retry interceptor. */
export interface RetryOptions {
  /**
   * Where attempt spans go. Defaults to the global tracer provider; `createClientChain` passes
   * the tracing concern's provider when one is configured there.
   */
  tracerProvider?: TracerProvider;
  /** Attempts per call, the first one included. Defaults to 4 (1 + 3 retries). */
  maxAttempts?: number;
  /**
   * Upper bound of the first retry's delay, in milliseconds; each delay is drawn uniformly
   * below its bound (full jitter). Defaults to 50 ms.
   */
  initialBackoffMs?: number;
  /** Factor by which the bound grows after each retry. Defaults to 2. */
  backoffMultiplier?: number;
  /** Largest bound of a retry delay, in milliseconds. Defaults to 2000 ms. */
  maxBackoffMs?: number;
  /**
   * Whether a call may be retried at all, from its path and request metadata. Defaults to
   * {@link retryableByIdempotency}: the method's proto `idempotency_level` is IDEMPOTENT or
   * NO_SIDE_EFFECTS, or the call carries an `idempotency-key`.
   */
  isRetryable?: (path: string, metadata: Metadata) => boolean;
  /** The retry budget per target. Defaults to 10 tokens, 0.1 per success. */
  budget?: RetryBudgetOptions;
  /**
   * Registry for `grpc_client_retries_total` and `grpc_client_retry_budget_exhausted_total`
   * (created on it, or reused when already there). Defaults to none: no metrics.
   */
  registry?: Registry;
  /** Source of the jitter, returning values in [0, 1). Defaults to `Math.random`. */
  random?: () => number;
}
