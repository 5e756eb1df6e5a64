import { databaseOptionsFrom, openDatabase, type Database, type DatabaseOptions } from '@platform/db';
import { userSchema, type UserSchema } from '@platform/user-domain';
import { resolve } from 'node:path';
import type { UserServiceConfig } from './user-service.config.js';

/** Where the database is, when not where the configuration says (tests: PGlite in memory). */
export type UserDatabaseLocation = Pick<DatabaseOptions, 'url' | 'inMemory' | 'pglite' | 'dataDir'>;

/** Opens the user service's database: DATABASE_URL, else PGlite in USER_DATA_DIR/db, or `location`. */
export function openUserDatabase(
  config: UserServiceConfig,
  location?: UserDatabaseLocation,
  onConnectionError?: (error: Error) => void,
): Promise<Database<UserSchema>> {
  const { url, dataDir, ...options } = databaseOptionsFrom(config, {
    dataDir: resolve(config.USER_DATA_DIR),
    applicationName: 'user-service',
  });
  return openDatabase({
    ...options,
    ...(location ?? { url, dataDir }),
    schema: userSchema,
    ...(onConnectionError && { onConnectionError }),
  });
}
