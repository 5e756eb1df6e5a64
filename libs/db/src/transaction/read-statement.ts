import type { Database, DatabaseSchema, Transaction } from '../database.js';
import type { ReadOptions } from './transaction-options.js';
import { runAttempts } from './with-transaction.js';

/**
 * Runs a read of exactly one statement (`fn` issues one query; a second is refused with a
 * `SingleStatementError`), with `withTransaction`'s cancellation, time budget and error mapping.
 *
 * A single statement sees one snapshot whether or not a transaction surrounds it, so on PostgreSQL
 * it runs on its own, without BEGIN and COMMIT: one round trip instead of three, whenever the
 * connection's statement timeout (its startup parameter, the configured one) is the one the
 * statement must have. When less time is left than that, it runs in a read-only transaction
 * under `SET LOCAL statement_timeout` = the time left, as `withTransaction` would. On PGlite it
 * always runs on its own.
 */
export function readStatement<T, Schema extends DatabaseSchema = Record<string, never>>(
  db: Database<Schema>,
  fn: (tx: Transaction<Schema>) => Promise<T>,
  options: ReadOptions = {},
): Promise<T> {
  return runAttempts(db, fn, { ...options, readOnly: true }, true);
}
