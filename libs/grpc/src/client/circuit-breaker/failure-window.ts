const bucketsPerWindow = 10;

/**
 * Calls and failures in a sliding time window, kept in ten buckets so memory stays constant
 * however many calls pass (the window edge is accurate to a tenth of its length).
 */
export class FailureWindow {
  private buckets: { start: number; calls: number; failures: number }[] = [];
  private readonly bucketMs: number;

  constructor(private readonly windowMs: number) {
    this.bucketMs = Math.max(1, windowMs / bucketsPerWindow);
  }

  add(now: number, failed: boolean): void {
    this.prune(now);
    let bucket = this.buckets.at(-1);
    if (!bucket || now - bucket.start >= this.bucketMs) {
      bucket = { start: now, calls: 0, failures: 0 };
      this.buckets.push(bucket);
    }
    bucket.calls += 1;
    if (failed) bucket.failures += 1;
  }

  totals(now: number): { calls: number; failures: number } {
    this.prune(now);
    let calls = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      calls += bucket.calls;
      failures += bucket.failures;
    }
    return { calls, failures };
  }

  clear(): void {
    this.buckets = [];
  }

  private prune(now: number): void {
    const oldest = now - this.windowMs;
    while ((this.buckets[0]?.start ?? Number.POSITIVE_INFINITY) <= oldest) this.buckets.shift();
  }
}
