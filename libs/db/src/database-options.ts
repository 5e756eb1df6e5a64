import type { PGliteOptions } from '@electric-sql/pglite';
import type { DatabaseSchema } from './database.js';
import type { ListenerOptions } from './notifications/listen-options.js';

/** Connection pool settings; used with `url` (PostgreSQL) only. */
export interface PoolOptions {
  /** Most connections open at once. Defaults to 10. */
  max?: number;
  /** An idle connection is closed after this many ms. Defaults to 10 000 ms. */
  idleTimeoutMs?: number;
  /** Waiting for a connection (a new one, or a free one when all `max` are busy) fails after this many ms. Defaults to 5000 ms. */
  connectionTimeoutMs?: number;
}

/**
 * Where the database is and how to talk to it. `url` selects PostgreSQL; otherwise `dataDir`
 * (created when missing) or `inMemory: true` selects embedded PGlite. One of the three is
 * required, so a misconfigured service never silently runs on a throwaway database.
 */
export interface DatabaseOptions<Schema extends DatabaseSchema = Record<string, never>> {
  /** `postgres://user:password@host:5432/database`, usually `DATABASE_URL`. */
  url?: string;
  /** PGlite data directory, created when missing; one process at a time may open it. */
  dataDir?: string;
  /** PGlite in memory: gone when closed (tests). */
  inMemory?: boolean;
  /** drizzle schema (tables and relations) enabling `db.query.<table>`. Defaults to none. */
  schema?: Schema;
  pool?: PoolOptions;
  /**
   * Upper bound on any statement, in ms; PostgreSQL cancels a statement running longer. Set per
   * connection (pg), and per transaction together with the gRPC call's remaining time. `0`
   * disables it. Defaults to 30 000 ms. PGlite cannot interrupt a statement: there it only
   * bounds the transactions of `withTransaction`, checked between statements.
   */
  statementTimeoutMs?: number;
  /** `application_name` of the connections, shown in `pg_stat_activity` (pg). Defaults to none. */
  applicationName?: string;
  /**
   * Further PGlite options (extensions, `relaxedDurability`, `loadDataDir` to start from a
   * dump …); `dataDir` and `inMemory` above decide where it lives. Defaults to none.
   */
  pglite?: Omit<PGliteOptions, 'dataDir'>;
  /** Called when an idle pooled connection fails (the server restarted); the pool replaces it. Defaults to ignoring it. */
  onConnectionError?: (error: Error) => void;
  /** The connection of `listen` (pg only): reconnection backoff and heartbeat. Defaults as documented there. */
  listener?: ListenerOptions;
}

/** Defaults, resolved in one place. */
export const databaseDefaults = {
  poolMax: 10,
  idleTimeoutMs: 10_000,
  connectionTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  healthTimeoutMs: 1_000,
  listenReconnectDelayMs: 100,
  listenMaxReconnectDelayMs: 10_000,
  listenHeartbeatIntervalMs: 10_000,
} as const;
