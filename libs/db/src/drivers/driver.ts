import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import type { DatabaseHandle, DriverKind, Transaction } from '../database.js';
import type { Subscription } from '../notifications/listen-options.js';
import type { Subscriber } from '../notifications/subscriber.js';
import type { StatementGuard } from '../transaction/statement-guard.js';

/** Raw SQL on one connection, for the migration runner (multi-statement files need it). */
export interface SqlSession {
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements (simple query protocol), no parameters. */
  exec(script: string): Promise<void>;
  /** Runs `fn` in a transaction on this connection: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
}

/** One attempt of `withTransaction`, as the driver runs it. */
export interface TransactionAttempt<T> {
  readonly config: PgTransactionConfig;
  readonly guard: StatementGuard;
  /**
   * The body runs one read statement (`readStatement`; the guard refuses a second). The driver
   * may then run it without BEGIN and COMMIT, as long as it runs under the statement timeout it
   * would have had in a transaction.
   */
  readonly singleStatement: boolean;
  /**
   * The `statement_timeout` of this attempt's statements in ms, worked out when the driver has
   * its connection (the budget left then); `undefined`: the connection's own. Only an
   * interruptible driver is asked.
   */
  statementTimeoutMs(): number | undefined;
  /** Inside BEGIN … COMMIT; the driver routes every statement through `guard`. */
  body(tx: Transaction<Record<string, unknown>>): Promise<T>;
}

/** What a driver provides behind a `Database`. Internal: never exported from the package. */
export interface Driver extends Pick<DatabaseHandle, 'health' | 'close'> {
  readonly kind: DriverKind;
  /** The configured statement timeout in ms (`0`: none). */
  readonly statementTimeoutMs: number;
  /**
   * Whether a running statement can be interrupted: true for PostgreSQL (statement_timeout,
   * pg_cancel_backend). False for PGlite, which runs each statement synchronously on the
   * JavaScript thread: no timer, signal or statement_timeout fires until it returns.
   */
  readonly interruptible: boolean;
  runTransaction<T>(attempt: TransactionAttempt<T>): Promise<T>;
  /** Runs `fn` on one dedicated connection without a statement timeout (migrations). */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Registers a subscriber on its (validated) channel, see `listen`; `close()` ends every subscription. */
  listen(subscriber: Subscriber): Promise<Subscription>;
}

const drivers = new WeakMap<object, Driver>();

export function attachDriver(database: object, driver: Driver): void {
  drivers.set(database, driver);
}

/** The driver behind a database opened by `openDatabase`; throws for anything else. */
export function driverOf(database: object): Driver {
  const driver = drivers.get(database);
  if (!driver) throw new TypeError('not a database opened by openDatabase() of @platform/db');
  return driver;
}

/** Rejects with a timeout error unless `work` settles within `timeoutMs` (or `signal` aborts). */
export async function within<T>(
  work: Promise<T>,
  timeoutMs: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
    onAbort = () => reject(new Error(`${what} was aborted`));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
