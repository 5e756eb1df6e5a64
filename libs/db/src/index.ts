// Public API of @platform/db: one database type over PostgreSQL (pg) or embedded PGlite,
// versioned SQL migrations, transactions bounded by the gRPC call, and LISTEN/NOTIFY.
export type {
  Database,
  DatabaseHandle,
  DatabaseSchema,
  DriverKind,
  HealthOptions,
  QueryResultHKT,
  QueryRows,
  Transaction,
} from './database.js';
export type { DatabaseOptions, PoolOptions } from './database-options.js';
export { openDatabase } from './open-database.js';
export { migrate } from './migrations/migrate.js';
export type { MigrateOptions, MigrateResult } from './migrations/migrate-options.js';
export { MigrationError } from './migrations/migration-error.js';
export { migrateExitCodes, runMigrateCommand, type CommandOutput } from './migrations/migrate-command.js';
export { withTransaction } from './transaction/with-transaction.js';
export { readStatement } from './transaction/read-statement.js';
export { SingleStatementError } from './transaction/single-statement-error.js';
export type { IsolationLevel, ReadOptions, TransactionOptions } from './transaction/transaction-options.js';
export { transactionSignal } from './transaction/transaction-signal.js';
export {
  TransactionCancelledError,
  type CancellationKind,
} from './transaction/transaction-cancelled-error.js';
export { sqlStateOf } from './transaction/sql-state.js';
export {
  DatabaseUnavailableError,
  databaseUnavailableReason,
  databaseUnavailableRetryDelayMs,
} from './connection/database-unavailable-error.js';
export { isConnectionFailure } from './connection/is-connection-failure.js';
export { listen } from './notifications/listen.js';
export { notify, maxNotifyPayloadBytes, type NotifyTarget } from './notifications/notify.js';
export type {
  ListenerOptions,
  ListenOptions,
  NotificationHandler,
  Subscription,
} from './notifications/listen-options.js';
export { databaseOptionsFrom, databaseVariables } from './config/database-variables.js';
export {
  holdAdvisoryLock,
  type AdvisoryLock,
  type HoldAdvisoryLockOptions,
} from './locks/hold-advisory-lock.js';
export { preparedQuery, type PreparableQuery, type PreparedQuery } from './queries/prepared-query.js';
