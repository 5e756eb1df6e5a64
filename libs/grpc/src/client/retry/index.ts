// Client retries: idempotent calls retried on "not processed" statuses, with backoff, within
// the deadline and a per-target budget.
export { retryClientInterceptor } from './retry.interceptor.js';
export type { RetryBudgetOptions, RetryOptions } from './retry-options.js';
export { idempotencyKeyHeader, retryableByIdempotency } from './retryable-by-idempotency.js';
