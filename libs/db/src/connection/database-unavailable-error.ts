import { UnavailableError } from '@platform/core';

/** ErrorInfo reason of {@link DatabaseUnavailableError}. */
export const databaseUnavailableReason = 'DATABASE_UNAVAILABLE';

/** RetryInfo delay of {@link DatabaseUnavailableError}: a restart or failover takes about this long. */
export const databaseUnavailableRetryDelayMs = 1_000;

/**
 * The database could not be reached, or dropped the connection, before the work completed
 * (see `isConnectionFailure`): gRPC UNAVAILABLE, reason `DATABASE_UNAVAILABLE`, RetryInfo 1 s. A
 * transaction that fails so was rolled back, unless the connection broke during COMMIT itself
 * (then it may have committed, as with any database client). The message is fixed, so that
 * neither the connection string nor the driver's wording reach the client; the driver's error
 * is `cause`, for the logs. `instanceof` works across duplicate installs, as for every platform
 * error.
 */
export class DatabaseUnavailableError extends UnavailableError {
  static override readonly kind: string = 'DatabaseUnavailableError';

  constructor(options: { cause?: unknown } = {}) {
    super('The database is unavailable', {
      reason: databaseUnavailableReason,
      retryDelayMs: databaseUnavailableRetryDelayMs,
      cause: options.cause,
    });
  }
}
