import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-buckets.js';

const limit = { ratePerSecond: 10, burst: 2 };

describe('TokenBuckets', () => {
  it('allows the burst, then tells how long until the next token', () => {
    const now = 0;
    const buckets = new TokenBuckets(100, () => now);
    expect(buckets.take('a', limit)).toEqual({ allowed: true });
    expect(buckets.take('a', limit)).toEqual({ allowed: true });
    expect(buckets.take('a', limit)).toEqual({ allowed: false, retryDelayMs: 100 });
  });

  it('stays within maxBuckets, evicting the least recently used', () => {
    let now = 0;
    const buckets = new TokenBuckets(2, () => now);
    buckets.take('a', limit);
    buckets.take('a', limit);
    buckets.take('b', limit);
    buckets.take('a', limit); // a used last
    buckets.take('c', limit); // evicts b
    expect(buckets.size).toBe(2);
    // a is still empty: it was kept.
    expect(buckets.take('a', limit).allowed).toBe(false);
    now += 1;
    expect(buckets.size).toBeLessThanOrEqual(2);
  });

  it('drops buckets that are full again (idle), as they equal new ones', () => {
    let now = 0;
    const buckets = new TokenBuckets(1_000, () => now);
    for (let index = 0; index < 50; index += 1) buckets.take(`caller-${index}`, limit);
    expect(buckets.size).toBe(50);
    now += 1_000; // everyone refilled
    buckets.take('fresh', limit);
    expect(buckets.size).toBe(1);
  });
});
