/** Isolation levels PostgreSQL implements (`read uncommitted` behaves as `read committed`). */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Options of `withTransaction`. */
export interface TransactionOptions {
  /**
   * Cancels the transaction when it aborts. Defaults to {@link transactionSignal}: the signal of
   * the gRPC call being served, if any (aborted when the client cancels or the deadline passes).
   */
  signal?: AbortSignal;
  /**
   * Time budget for the whole transaction, retries included, in ms. Defaults to the current gRPC
   * call's remaining time (`remainingMs()`), or none outside a call.
   */
  timeoutMs?: number;
  /** Defaults to `read committed` (PostgreSQL's default). */
  isolation?: IsolationLevel;
  /** Runs `begin read only`: writes fail. Defaults to false. */
  readOnly?: boolean;
  /**
   * Attempts in all when a transaction fails with a serialization failure or a deadlock
   * (SQLSTATE 40001 / 40P01); the callback runs again from the start each time. `1` disables
   * retries. Defaults to 3.
   */
  maxAttempts?: number;
  /**
   * Base of the exponential backoff between attempts, in ms: attempt n waits a random time up
   * to `retryDelayMs * 2^(n-1)` (full jitter). Defaults to 20 ms.
   */
  retryDelayMs?: number;
}

/** Options of `readStatement`: the statement's cancellation and time budget. */
export type ReadOptions = Pick<TransactionOptions, 'signal' | 'timeoutMs'>;

export const transactionDefaults = {
  isolation: 'read committed',
  maxAttempts: 3,
  retryDelayMs: 20,
} as const;
