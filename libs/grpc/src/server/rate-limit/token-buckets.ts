import type { RateLimit } from './rate-limit-options.js';

interface Bucket {
  tokens: number;
  updatedAt: number;
  readonly limit: RateLimit;
}

/** What a take from a bucket decided. */
export type TakeResult = { allowed: true } | { allowed: false; retryDelayMs: number };

/**
 * Token buckets by key, bounded: least recently used buckets are evicted beyond `maxBuckets`,
 * and buckets that have been idle long enough to be full again are swept on the way (a full
 * bucket is the same as a missing one, so nothing is lost).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly maxBuckets: number,
    private readonly clock: () => number,
  ) {
    if (!(maxBuckets >= 1)) throw new Error('maxBuckets must be at least 1');
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from the bucket of `key` (created full with `limit`). */
  take(key: string, limit: RateLimit): TakeResult {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, updatedAt: now, limit };
    this.buckets.delete(key);
    const elapsedMs = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsedMs * limit.ratePerSecond) / 1000);
    bucket.updatedAt = now;
    let result: TakeResult;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      result = { allowed: true };
    } else {
      result = {
        allowed: false,
        retryDelayMs: Math.ceil(((1 - bucket.tokens) * 1000) / limit.ratePerSecond),
      };
    }
    this.buckets.set(key, bucket);
    this.sweep(now);
    return result;
  }

  private sweep(now: number): void {
    // Oldest first: drop buckets that are full again, then whatever exceeds the bound.
    for (const [key, bucket] of this.buckets) {
      const refillMs = ((bucket.limit.burst - bucket.tokens) * 1000) / bucket.limit.ratePerSecond;
      if (now - bucket.updatedAt >= refillMs) {
        this.buckets.delete(key);
      } else if (this.buckets.size > this.maxBuckets) {
        this.buckets.delete(key);
      } else {
        break;
      }
    }
  }
}
