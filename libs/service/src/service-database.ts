import {
  databaseOptionsFrom,
  openDatabase,
  type Database,
  type DatabaseOptions,
  type DatabaseSchema,
  type MigrateResult,
} from '@platform/db';
import { migrateEventTables } from '@platform/events';
import { resolve } from 'node:path';

/** What a service keeps in its database: its tables and their migrations. */
export interface ServiceDatabase<Schema extends DatabaseSchema> {
  /** The drizzle tables (`orderSchema`). */
  schema: Schema;
  /** Applies the service's own migrations under the lock (the event tables' follow them). */
  migrate(db: Database<Schema>): Promise<MigrateResult>;
}

/** Where the database is, when not where the configuration says (tests: PGlite in memory). */
export type DatabaseLocation = Pick<DatabaseOptions, 'url' | 'inMemory' | 'pglite' | 'dataDir'>;

/** The `databaseVariables` of a service's configuration. */
export type DatabaseConfig = Parameters<typeof databaseOptionsFrom>[0];

/**
 * Opens a service's database: DATABASE_URL (PostgreSQL), else PGlite in `<dataDir>/db`, or
 * `location` when given.
 */
export function openServiceDatabase<Schema extends DatabaseSchema>(options: {
  name: string;
  config: DatabaseConfig;
  dataDir: string;
  schema: Schema;
  location?: DatabaseLocation | undefined;
  onConnectionError?: (error: Error) => void;
}): Promise<Database<Schema>> {
  const { url, dataDir, ...rest } = databaseOptionsFrom(options.config, {
    dataDir: options.dataDir,
    applicationName: options.name,
  });
  return openDatabase({
    ...rest,
    ...(options.location ?? { url, dataDir }),
    schema: options.schema,
    ...(options.onConnectionError && { onConnectionError: options.onConnectionError }),
  });
}

/** What {@link openDatabaseOf} needs of a service's definition. */
export interface DatabaseOwner<Config, Schema extends DatabaseSchema> {
  name: string;
  /** Where the service keeps its files: PGlite's `db/` when DATABASE_URL is unset. */
  dataDir(config: Config): string;
  database: ServiceDatabase<Schema>;
}

/** Opens the database of a service's definition, where its configuration (or `location`) says. */
export function openDatabaseOf<Config extends DatabaseConfig, Schema extends DatabaseSchema>(
  service: DatabaseOwner<Config, Schema>,
  config: Config,
  location?: DatabaseLocation,
  onConnectionError?: (error: Error) => void,
): Promise<Database<Schema>> {
  return openServiceDatabase({
    name: service.name,
    config,
    dataDir: resolve(service.dataDir(config)),
    schema: service.database.schema,
    location,
    ...(onConnectionError && { onConnectionError }),
  });
}

/** What {@link migrateServiceDatabase} applied. */
export interface ServiceMigration {
  readonly applied: readonly string[];
  readonly version: number | undefined;
  readonly eventTablesVersion: number | undefined;
}

/** The service's migrations, then the event tables' (outbox, inbox): at start and by `migrate`. */
export async function migrateServiceDatabase<Schema extends DatabaseSchema>(
  db: Database<Schema>,
  database: ServiceDatabase<Schema>,
): Promise<ServiceMigration> {
  const own = await database.migrate(db);
  const events = await migrateEventTables(db);
  return {
    applied: [...own.applied, ...events.applied],
    version: own.version,
    eventTablesVersion: events.version,
  };
}
