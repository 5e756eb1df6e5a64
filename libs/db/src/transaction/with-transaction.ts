import { DatabaseUnavailableError } from '../connection/database-unavailable-error.js';
import { isConnectionFailure } from '../connection/is-connection-failure.js';
import type { Database, DatabaseSchema, Transaction } from '../database.js';
import { driverOf, type Driver } from '../drivers/driver.js';
import { CancellationScope } from './cancellation-scope.js';
import { queryCanceledSqlState, retryableSqlStates, sqlStateOf } from './sql-state.js';
import { StatementGuard } from './statement-guard.js';
import { TransactionCancelledError } from './transaction-cancelled-error.js';
import { transactionDefaults, type TransactionOptions } from './transaction-options.js';
import { callRemainingMs, transactionSignal } from './transaction-signal.js';

/** The statement timeout of one attempt: the configured one, capped by what is left of the budget. */
function statementTimeoutFor(driver: Driver, scope: CancellationScope): number | undefined {
  const remaining = scope.remainingMs();
  const configured = driver.statementTimeoutMs > 0 ? driver.statementTimeoutMs : Number.POSITIVE_INFINITY;
  const timeout = Math.min(configured, remaining);
  return Number.isFinite(timeout) ? Math.max(1, Math.ceil(timeout)) : undefined;
}

/**
 * What a failed attempt means for the caller. `fromDatabase`: the error came from the driver
 * (connecting, a statement, BEGIN, COMMIT, ROLLBACK), not from the callback's own code.
 */
function classify(error: unknown, scope: CancellationScope, fromDatabase: boolean): unknown {
  const stopped = scope.stopped;
  if (stopped) {
    if (stopped !== error && stopped.cause === undefined) {
      return new TransactionCancelledError(stopped.kind, stopped.message, { cause: error });
    }
    return stopped;
  }
  if (sqlStateOf(error) === queryCanceledSqlState) {
    const message = String(
      (error as { cause?: { message?: unknown } }).cause?.message ?? (error as Error).message,
    );
    return /statement timeout/i.test(message)
      ? new TransactionCancelledError('timeout', 'a statement ran past its statement timeout', {
          cause: error,
        })
      : new TransactionCancelledError('aborted', 'a statement was cancelled on the server', { cause: error });
  }
  if (fromDatabase && isConnectionFailure(error)) return new DatabaseUnavailableError({ cause: error });
  return error;
}

function backoff(attempt: number, baseMs: number, scope: CancellationScope): Promise<void> {
  const delayMs = Math.random() * baseMs * 2 ** (attempt - 1);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve();
    }, delayMs);
    const unsubscribe = scope.onStop(() => {
      clearTimeout(timer);
      reject(scope.stopped);
    });
  });
}

/**
 * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. This is
 * where state and outbox rows are written together.
 *
 * - Serialization failures and deadlocks are retried (`maxAttempts`, jittered backoff): `fn` may
 *   run more than once, so it must not have effects outside the transaction.
 * - It is cancelled when `signal` aborts (by default the current gRPC call's) or `timeoutMs`
 *   runs out (by default the call's remaining time), rejecting with a
 *   {@link TransactionCancelledError} once the transaction is rolled back. On PostgreSQL a
 *   running statement is cancelled on the server (`pg_cancel_backend`) and every statement runs
 *   under `SET LOCAL statement_timeout` = min(configured timeout, time left). On PGlite a
 *   running statement cannot be interrupted: the caller is released as soon as the event loop
 *   runs again, the statement's result is discarded and no further statement runs.
 * - It rejects with a {@link DatabaseUnavailableError} (gRPC UNAVAILABLE) when the database
 *   cannot be reached or drops the connection (see `isConnectionFailure`). Such an attempt is
 *   not retried here: the caller's client retries the call, after the RetryInfo delay.
 */
export function withTransaction<T, Schema extends DatabaseSchema = Record<string, never>>(
  db: Database<Schema>,
  fn: (tx: Transaction<Schema>) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return runAttempts(db, fn, options, false);
}

/**
 * `withTransaction`'s attempts; `singleStatement`: `fn` runs one read statement (see
 * `readStatement`). Internal to the package.
 */
export async function runAttempts<T, Schema extends DatabaseSchema>(
  db: Database<Schema>,
  fn: (tx: Transaction<Schema>) => Promise<T>,
  options: TransactionOptions,
  singleStatement: boolean,
): Promise<T> {
  const driver = driverOf(db);
  const maxAttempts = Math.max(1, options.maxAttempts ?? transactionDefaults.maxAttempts);
  const retryDelayMs = options.retryDelayMs ?? transactionDefaults.retryDelayMs;
  const config = {
    isolationLevel: options.isolation ?? transactionDefaults.isolation,
    accessMode: options.readOnly ? 'read only' : 'read write',
  } as const;
  const scope = new CancellationScope(
    options.signal ?? transactionSignal(),
    options.timeoutMs ?? callRemainingMs(),
  );
  try {
    for (let attempt = 1; ; attempt++) {
      const guard = new StatementGuard(scope, { settleEvents: !driver.interruptible, singleStatement });
      let callbackFailure: unknown;
      try {
        return await driver.runTransaction({
          config,
          guard,
          singleStatement,
          statementTimeoutMs: () => statementTimeoutFor(driver, scope),
          body: (tx) =>
            guard.runBody(async () => {
              try {
                return await fn(tx as unknown as Transaction<Schema>);
              } catch (failure) {
                callbackFailure = failure;
                throw failure;
              }
            }),
        });
      } catch (error) {
        const fromDatabase = error !== callbackFailure || guard.failedStatement(error);
        const outcome = classify(error, scope, fromDatabase);
        const retryable = outcome === error && retryableSqlStates.has(sqlStateOf(error) ?? '');
        if (!retryable || attempt >= maxAttempts) throw outcome;
        await backoff(attempt, retryDelayMs, scope);
      }
    }
  } finally {
    scope.dispose();
  }
}
