import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, DatabaseSchema, HealthOptions } from '../database.js';
import { databaseDefaults, type DatabaseOptions } from '../database-options.js';
import { PgliteListener } from '../notifications/pglite-listener.js';
import type { StatementGuard } from '../transaction/statement-guard.js';
import { attachDriver, within, type Driver, type SqlSession, type TransactionAttempt } from './driver.js';

type Queryable = Pick<PGliteTransaction, 'query' | 'exec'>;

/** The PGlite calls drizzle makes, with the transaction's statements going through the guard. */
function guardedClient(pglite: PGlite, guard: StatementGuard): PGlite {
  const guard_ = (tx: PGliteTransaction): Queryable => ({
    query: (text, params, queryOptions) => guard.statement(() => tx.query(text, params, queryOptions)),
    exec: (text, queryOptions) => guard.statement(() => tx.exec(text, queryOptions)),
  });
  const client = {
    ...guard_(pglite as unknown as PGliteTransaction),
    transaction: <T>(callback: (tx: Queryable) => Promise<T>) =>
      pglite.transaction((tx) => callback(guard_(tx))),
  };
  return client as unknown as PGlite;
}

function sessionOf(target: Queryable & { transaction?: PGlite['transaction'] }, pglite: PGlite): SqlSession {
  return {
    query: async <Row extends Record<string, unknown>>(text: string, params?: unknown[]) =>
      (await target.query<Row>(text, params)).rows,
    exec: async (script) => void (await target.exec(script)),
    transaction: (fn) => pglite.transaction((tx) => fn(sessionOf(tx, pglite))),
  };
}

/**
 * PGlite's PostgreSQL settings unless the caller passes its own `startParams`: its defaults with
 * 16 MB of shared buffers instead of PostgreSQL's 128 MB. PGlite's WebAssembly memory grows and
 * never shrinks, and the buffers fill as a service reads and writes: a process on PGlite resided
 * at ~460 MB after 6,000 statements with 128 MB, at ~290 MB with 16 MB. A PGlite database is a
 * development or test one, whose data fits the smaller cache.
 */
const pgliteStartParams: readonly string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/** Opens embedded PGlite in `dataDir` (created when missing) or in memory. */
export async function openPgliteDatabase<Schema extends DatabaseSchema>(
  options: DatabaseOptions<Schema>,
): Promise<Database<Schema>> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = new PGlite({
    startParams: [...pgliteStartParams],
    ...options.pglite,
    dataDir: options.dataDir,
  });
  try {
    await pglite.waitReady;
  } catch (error) {
    throw new Error(
      `cannot open PGlite ${options.dataDir ? `in ${options.dataDir}` : 'in memory'}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const db = drizzle({ client: pglite, schema: options.schema });

  const listener = new PgliteListener(pglite);

  let closing: Promise<void> | undefined;
  const driver: Driver = {
    kind: 'pglite',
    statementTimeoutMs: options.statementTimeoutMs ?? databaseDefaults.statementTimeoutMs,
    // Transactions are bounded between statements instead (see StatementGuard).
    interruptible: false,

    runTransaction<T>(attempt: TransactionAttempt<T>): Promise<T> {
      const connection = drizzle({ client: guardedClient(pglite, attempt.guard), schema: options.schema });
      // No statement timeout to set: a single statement runs on its own.
      if (attempt.singleStatement) return attempt.body(connection as never);
      return connection.transaction((tx) => attempt.body(tx), attempt.config);
    },

    // PGlite is a single connection; callers serialise their sessions (the migration runner does).
    withSession: (fn) => fn(sessionOf(pglite, pglite)),

    async health(healthOptions: HealthOptions = {}): Promise<void> {
      if (pglite.closed) throw new Error('PGlite is closed');
      const timeoutMs = healthOptions.timeoutMs ?? databaseDefaults.healthTimeoutMs;
      await within(pglite.query('select 1'), timeoutMs, 'PGlite', healthOptions.signal);
    },

    listen: (subscriber) => listener.listen(subscriber),

    close(): Promise<void> {
      listener.close();
      closing ??= pglite.closed ? Promise.resolve() : pglite.close();
      return closing;
    },
  };
  const database = Object.assign(db, {
    driver: driver.kind,
    health: driver.health,
    close: driver.close,
  }) as unknown as Database<Schema>;
  attachDriver(database, driver);
  return database;
}
