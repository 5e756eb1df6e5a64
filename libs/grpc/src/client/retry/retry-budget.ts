/**
 * A target's retry budget, the token bucket of gRFC A6 retry throttling: a failed attempt
 * takes a token, a successful call returns `tokenRatio`, and retries are allowed only while
 * more than half the tokens are left. It keeps a struggling target from receiving a multiple
 * of its normal load.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    private readonly maxTokens: number,
    private readonly tokenRatio: number,
  ) {
    this.tokens = maxTokens;
  }

  recordSuccess(): void {
    this.tokens = Math.min(this.maxTokens, this.tokens + this.tokenRatio);
  }

  recordFailure(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }

  allowsRetry(): boolean {
    return this.tokens > this.maxTokens / 2;
  }
}
