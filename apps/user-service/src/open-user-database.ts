import { openDatabase, type Database, type DatabaseOptions } from '@platform/db';
import { userSchema, type UserSchema } from '@platform/user-domain';
import { join, resolve } from 'node:path';
import type { UserServiceConfig } from './user-service.config.js';

/** Where the database is: PostgreSQL, PGlite on disk, or PGlite in memory (tests). */
export type UserDatabaseLocation = Pick<DatabaseOptions, 'url' | 'inMemory' | 'pglite' | 'dataDir'>;

/** DATABASE_URL when set, else PGlite in USER_DATA_DIR/db. */
export function userDatabaseLocation(config: UserServiceConfig): UserDatabaseLocation {
  return config.DATABASE_URL
    ? { url: config.DATABASE_URL }
    : { dataDir: join(resolve(config.USER_DATA_DIR), 'db') };
}

/** Opens the user service's database with the configured pool and statement timeout. */
export function openUserDatabase(
  config: UserServiceConfig,
  location: UserDatabaseLocation,
  onConnectionError?: (error: Error) => void,
): Promise<Database<UserSchema>> {
  return openDatabase({
    ...location,
    schema: userSchema,
    applicationName: 'user-service',
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT,
    pool: { max: config.DATABASE_POOL_MAX, connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT },
    ...(onConnectionError && { onConnectionError }),
  });
}
