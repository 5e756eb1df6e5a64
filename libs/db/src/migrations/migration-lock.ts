import { createHash } from 'node:crypto';
import type { Driver, SqlSession } from '../drivers/driver.js';
import { sqlStateOf } from '../transaction/sql-state.js';
import { MigrationError } from './migration-error.js';

/** The advisory lock key of a migration table: the first 8 bytes of sha256(table), signed. */
export function advisoryLockKey(table: string): string {
  return createHash('sha256').update(table).digest().readBigInt64BE(0).toString();
}

// Advisory locks are re-entrant within one PostgreSQL session, and PGlite is a single session:
// runners in one process are serialised here, runners in different processes by the lock.
const inProcess = new WeakMap<Driver, Map<string, Promise<unknown>>>();

async function serialised<T>(driver: Driver, table: string, fn: () => Promise<T>): Promise<T> {
  const queues = inProcess.get(driver) ?? new Map<string, Promise<unknown>>();
  inProcess.set(driver, queues);
  const previous = queues.get(table) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(table, settled);
  try {
    return await run;
  } finally {
    if (queues.get(table) === settled) queues.delete(table);
  }
}

/**
 * Runs `fn` on a dedicated session holding `pg_advisory_lock(key(table))`, so two instances
 * starting together apply each migration exactly once: the second waits, then finds it applied.
 */
export function withMigrationLock<T>(
  driver: Driver,
  table: string,
  lockTimeoutMs: number,
  fn: (session: SqlSession) => Promise<T>,
): Promise<T> {
  const key = advisoryLockKey(table);
  return serialised(driver, table, () =>
    driver.withSession(async (session) => {
      await session.exec(`set lock_timeout = ${Math.max(1, Math.ceil(lockTimeoutMs))}`);
      try {
        await session.query('select pg_advisory_lock($1::bigint)', [key]);
      } catch (error) {
        if (sqlStateOf(error) !== '55P03') throw error;
        throw new MigrationError(
          `could not take the migration lock of ${table} within ${lockTimeoutMs} ms: another instance is still migrating`,
          { cause: error },
        );
      }
      await session.exec('set lock_timeout = 0');
      try {
        return await fn(session);
      } finally {
        // On pg the session's connection is discarded anyway, which releases the lock too.
        await session.query('select pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
      }
    }),
  );
}
