import { migrate, type Database, type DatabaseSchema, type MigrateResult } from '@platform/db';

/** The outbox and inbox tables (libs/events/migrations), from sources and from dist alike. */
export const eventMigrationsDir = new URL('../../migrations/', import.meta.url);

/**
 * Creates or upgrades the outbox and inbox tables in a service's database. They have their own
 * migrations table (and lock), so they version independently of the service's schema.
 */
export function migrateEventTables<Schema extends DatabaseSchema>(
  db: Database<Schema>,
): Promise<MigrateResult> {
  return migrate(db, { dir: eventMigrationsDir, table: 'event_schema_migrations' });
}
