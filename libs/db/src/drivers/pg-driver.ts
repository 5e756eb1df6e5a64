import { createTableRelationsHelpers, extractTablesRelationalConfig } from 'drizzle-orm';
import { drizzle, NodePgDriver, NodePgTransaction } from 'drizzle-orm/node-postgres';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { DatabaseUnavailableError } from '../connection/database-unavailable-error.js';
import { isConnectionFailure } from '../connection/is-connection-failure.js';
import type { Database, DatabaseSchema, HealthOptions } from '../database.js';
import { databaseDefaults, type DatabaseOptions } from '../database-options.js';
import { PgListener } from '../notifications/pg-listener.js';
import type { StatementGuard } from '../transaction/statement-guard.js';
import { sqlStateOf } from '../transaction/sql-state.js';
import { beginStatement } from './begin-statement.js';
import { attachDriver, within, type Driver, type SqlSession, type TransactionAttempt } from './driver.js';

/** `host:port/database` of a URL, for messages: never the user or password. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured DATABASE_URL (not a valid URL)';
  }
}

/** The statements of a transaction go through the guard; only `query` is what drizzle calls. */
function guardedClient(client: pg.PoolClient, guard: StatementGuard): pg.PoolClient {
  const guarded = {
    query: (config: pg.QueryConfig, values?: unknown[]) =>
      guard.statement(() => client.query(config, values)),
  };
  return guarded as unknown as pg.PoolClient;
}

function sessionOf(client: pg.PoolClient): SqlSession {
  const session: SqlSession = {
    query: async <Row extends Record<string, unknown>>(text: string, params?: unknown[]) =>
      (await client.query<Row>(text, params)).rows,
    exec: async (script) => void (await client.query(script)),
    transaction: async (fn) => {
      await client.query('begin');
      try {
        const result = await fn(session);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback');
        throw error;
      }
    },
  };
  return session;
}

/**
 * Makes a transaction's drizzle handle over its own (guarded) connection. The dialect and the
 * schema's relational config are worked out once here: `drizzle({ client, schema })` works the
 * config out again on every call, which cost about a tenth of a GetOrder's CPU on PostgreSQL.
 */
function transactionHandles(
  schema: DatabaseSchema | undefined,
): (client: pg.PoolClient) => NodePgTransaction<DatabaseSchema, never> {
  const dialect = new PgDialect();
  const tables = schema && extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const relational = tables && {
    fullSchema: schema,
    schema: tables.tables,
    tableNamesMap: tables.tableNamesMap,
  };
  return (client) =>
    new NodePgTransaction<DatabaseSchema, never>(
      dialect,
      new NodePgDriver(client, dialect).createSession(relational) as never,
      relational as never,
    );
}

/** Opens a `pg.Pool` and checks that the server answers. */
export async function openPgDatabase<Schema extends DatabaseSchema>(
  url: string,
  options: DatabaseOptions<Schema>,
): Promise<Database<Schema>> {
  const statementTimeoutMs = options.statementTimeoutMs ?? databaseDefaults.statementTimeoutMs;
  const connectionTimeoutMs = options.pool?.connectionTimeoutMs ?? databaseDefaults.connectionTimeoutMs;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.pool?.max ?? databaseDefaults.poolMax,
    idleTimeoutMillis: options.pool?.idleTimeoutMs ?? databaseDefaults.idleTimeoutMs,
    connectionTimeoutMillis: connectionTimeoutMs,
    // Startup parameters: every pooled connection has them, without an extra round trip.
    application_name: options.applicationName,
    statement_timeout: statementTimeoutMs > 0 ? statementTimeoutMs : undefined,
  });
  pool.on('error', options.onConnectionError ?? (() => undefined));
  const db = drizzle({ client: pool, schema: options.schema });
  const transactionHandle = transactionHandles(options.schema);

  /** Cancels the running statement of backend `pid` from a connection of its own (the pool may be full). */
  async function cancelBackend(pid: number): Promise<void> {
    const canceller = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: connectionTimeoutMs,
      application_name: options.applicationName && `${options.applicationName} (cancel)`,
    });
    canceller.on('error', () => undefined);
    try {
      await canceller.connect();
      await canceller.query('select pg_cancel_backend($1)', [pid]);
    } catch {
      // Best effort: the statement timeout still ends the statement, and the guard refuses the next.
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  /**
   * A checked-out client emits `error` when its connection breaks (the pool listens only to idle
   * ones): without a listener that would crash the process. The failure also rejects the
   * running statement, or the next one, which is where the transaction sees it.
   */
  const ignoreCheckedOutError = () => undefined;

  async function connect(guard: StatementGuard): Promise<pg.PoolClient> {
    const connecting = pool.connect();
    try {
      const client = await Promise.race([connecting, guard.scope.whenStopped()]);
      client.on('error', ignoreCheckedOutError);
      return client;
    } catch (error) {
      connecting.then(
        (client) => client.release(),
        () => undefined,
      );
      throw error;
    }
  }

  /** A `select 1` answered within the time limit; rejects with the driver's own error otherwise. */
  async function answers(healthOptions: HealthOptions): Promise<void> {
    const timeoutMs = healthOptions.timeoutMs ?? databaseDefaults.healthTimeoutMs;
    await within(
      pool.query('select 1'),
      timeoutMs,
      `PostgreSQL at ${describeTarget(url)}`,
      healthOptions.signal,
    );
  }

  const listener = new PgListener({
    ...options.listener,
    url,
    applicationName: options.applicationName,
    connectionTimeoutMs,
  });

  let closing: Promise<void> | undefined;
  const driver: Driver = {
    kind: 'pg',
    statementTimeoutMs,
    interruptible: true,

    async runTransaction<T>(attempt: TransactionAttempt<T>): Promise<T> {
      const client = await connect(attempt.guard);
      const pid = (client as unknown as { processID: number | null }).processID;
      let cancelling: Promise<void> | undefined;
      const unsubscribe = attempt.guard.scope.onStop(() => {
        if (pid !== null) cancelling = cancelBackend(pid);
      });
      let failure: unknown;
      try {
        // drizzle's own transaction(), but with the statement timeout sent along with BEGIN. BEGIN,
        // COMMIT and ROLLBACK run outside the body, so the guard lets the rollback run after a stop.
        const guarded = guardedClient(client, attempt.guard);
        const timeoutMs = attempt.statementTimeoutMs();
        // The connection's startup parameter is the configured timeout: when that is the one
        // the statement must have, a single statement needs no BEGIN … COMMIT around it.
        if (attempt.singleStatement && (timeoutMs === undefined || timeoutMs === statementTimeoutMs)) {
          return await attempt.body(transactionHandle(guarded) as never);
        }
        await guarded.query(beginStatement(attempt.config, timeoutMs));
        try {
          const result = await attempt.body(transactionHandle(guarded) as never);
          await guarded.query('commit');
          return result;
        } catch (error) {
          await guarded.query('rollback');
          throw error;
        }
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        unsubscribe();
        await cancelling;
        // A connection that was sent a cancel, whose driver failed outside SQL or that was shut
        // down by the server (57P01 …) is not reused: a late cancel must never hit the next
        // transaction, and a broken one must never be handed out again. The body's own errors
        // (NOT_FOUND, a refused transition) leave it rolled back and reusable.
        const discard =
          cancelling !== undefined ||
          (failure !== undefined &&
            attempt.guard.failedStatement(failure) &&
            (sqlStateOf(failure) === undefined || isConnectionFailure(failure)));
        client.off('error', ignoreCheckedOutError);
        client.release(discard);
      }
    },

    async withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      client.on('error', ignoreCheckedOutError);
      try {
        await client.query('set statement_timeout = 0');
        return await fn(sessionOf(client));
      } finally {
        // Session settings and advisory locks go with the connection.
        client.off('error', ignoreCheckedOutError);
        client.release(true);
      }
    },

    async health(healthOptions: HealthOptions = {}): Promise<void> {
      try {
        await answers(healthOptions);
      } catch (error) {
        throw isConnectionFailure(error) ? new DatabaseUnavailableError({ cause: error }) : error;
      }
    },

    listen: (subscriber) => listener.listen(subscriber),

    close(): Promise<void> {
      closing ??= Promise.all([listener.close(), pool.end()]).then(() => undefined);
      return closing;
    },
  };

  try {
    await answers({ timeoutMs: connectionTimeoutMs + 1_000 });
  } catch (error) {
    await driver.close();
    throw new Error(`cannot connect to PostgreSQL at ${describeTarget(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const database = Object.assign(db, {
    driver: driver.kind,
    health: driver.health,
    close: driver.close,
  }) as unknown as Database<Schema>;
  attachDriver(database, driver);
  return database;
}
