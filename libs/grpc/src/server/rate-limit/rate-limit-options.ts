import type { MethodSelector } from '../../call/method-selector.js';

/** A token bucket: `burst` calls at once, refilled at `ratePerSecond`. */
export interface RateLimit {
  /** Sustained calls per second (tokens added per second). Must be positive. */
  ratePerSecond: number;
  /** Bucket size: calls allowed at once after a quiet period. At least 1. */
  burst: number;
}

/** Options of `rateLimitServerInterceptor`. */
export interface RateLimitOptions extends RateLimit {
  /**
   * Methods that are limited. Defaults to `not(infrastructureMethods)`: health checks and
   * reflection are never limited.
   */
  selector?: MethodSelector;
  /**
   * Limits of their own for some methods, by full path (`/platform.order.v1.OrderService/CreateOrder`)
   * or fully qualified service (a path entry wins). Each such method (or service) has its own
   * bucket per caller; every other selected method shares the caller's default bucket.
   */
  overrides?: Readonly<Record<string, RateLimit>>;
  /**
   * Most buckets kept (LRU). Buckets idle long enough to be full again are dropped first, as
   * they are the same as new ones. Defaults to 10 000.
   */
  maxBuckets?: number;
  /** ErrorInfo reason of the RESOURCE_EXHAUSTED error. Defaults to `RATE_LIMITED`. */
  reason?: string;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
}
