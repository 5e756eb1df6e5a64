import { migrate, type Database, type DatabaseSchema, type MigrateResult } from '@platform/db';

/** The user service's SQL migrations (libs/user/domain/migrations), from sources and from dist alike. */
export const userMigrationsDir = new URL('../../migrations/', import.meta.url);

/** Brings the user service's database to the newest schema, under the migration lock. */
export function migrateUserDatabase<Schema extends DatabaseSchema>(
  db: Database<Schema>,
): Promise<MigrateResult> {
  return migrate(db, { dir: userMigrationsDir });
}
