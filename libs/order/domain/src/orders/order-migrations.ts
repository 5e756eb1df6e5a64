import { migrate, type Database, type DatabaseSchema, type MigrateResult } from '@platform/db';

/** The order service's SQL migrations (libs/order/domain/migrations), from sources and from dist alike. */
export const orderMigrationsDir = new URL('../../migrations/', import.meta.url);

/** Brings the order service's database to the newest schema, under the migration lock. */
export function migrateOrderDatabase<Schema extends DatabaseSchema>(
  db: Database<Schema>,
): Promise<MigrateResult> {
  return migrate(db, { dir: orderMigrationsDir });
}
