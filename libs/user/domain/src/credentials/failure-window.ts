/**
 * Recent failures by key, within a sliding window: a key is blocked once it has `limit`
 * failures in the last `windowMs`, until the oldest of them leaves the window. Bounded: keys
 * are kept in the order of their last failure, those with none left in the window are swept,
 * and beyond `maxEntries` the least recently failed are evicted.
 */
export class FailureWindow {
  /** Times of each key's last `limit` failures, oldest first; map order is last failure order. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  /** Keys tracked. */
  get size(): number {
    return this.failures.size;
  }

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryDelayMs(key: string, now: number): number {
    const times = this.failures.get(key);
    if (!times || times.length < this.limit) return 0;
    const oldest = times[0] ?? now;
    // Clamped: a clock that went back must not block for longer than a window.
    return Math.min(this.windowMs, Math.max(0, oldest + this.windowMs - now));
  }

  record(key: string, now: number): void {
    const times = this.failures.get(key)?.filter((time) => time > now - this.windowMs) ?? [];
    times.push(now);
    if (times.length > this.limit) times.splice(0, times.length - this.limit);
    this.failures.delete(key);
    this.failures.set(key, times);
    this.sweep(now);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, times] of this.failures) {
      const last = times.at(-1) ?? now;
      if (last <= now - this.windowMs || this.failures.size > this.maxEntries) this.failures.delete(key);
      else break;
    }
  }
}
