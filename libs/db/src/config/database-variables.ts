import { duration, positiveInt, secret, url, type Config, type ConfigSchema } from '@platform/config';
import { join } from 'node:path';
import type { DatabaseOptions } from '../database-options.js';

/**
 * The database variables every service has, for its `defineConfig({ ...databaseVariables, … })`:
 * one name and meaning for each across the platform (and its manifests).
 */
export const databaseVariables = {
  /** PostgreSQL (`postgres://user:password@host:5432/db`); when unset, embedded PGlite in the service's data directory. */
  DATABASE_URL: secret(url({ protocols: ['postgres:', 'postgresql:'] })).optional(),
  /** Most PostgreSQL connections of one process. */
  DATABASE_POOL_MAX: positiveInt().default(10),
  /** Upper bound of one statement (also capped by the gRPC call's deadline). */
  DATABASE_STATEMENT_TIMEOUT: duration({ minMs: 100 }).default(5_000),
  /** Waiting for a PostgreSQL connection fails after this long (callers get UNAVAILABLE). */
  DATABASE_CONNECT_TIMEOUT: duration({ minMs: 100 }).default(2_000),
};

type DatabaseConfig = Config<ConfigSchema<typeof databaseVariables>>;

/**
 * `openDatabase` options from those variables: PostgreSQL at DATABASE_URL, else PGlite in
 * `<dataDir>/db`, with the pool, statement and connection bounds.
 */
export function databaseOptionsFrom(
  config: DatabaseConfig,
  service: { dataDir: string; applicationName: string },
): DatabaseOptions {
  return {
    ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: join(service.dataDir, 'db') }),
    applicationName: service.applicationName,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT,
    pool: { max: config.DATABASE_POOL_MAX, connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT },
  };
}
