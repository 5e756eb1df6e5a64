import { MigrationError, type DatabaseSchema } from '@platform/db';
import { migrateServiceDatabase, openDatabaseOf, type DatabaseOwner } from './service-database.js';
import type { ServingConfig } from './start-service.js';

/**
 * A service's `migrate` command (a deploy step or a Kubernetes Job; the service also migrates at
 * start): applies its migrations, then the event tables', to the configured database, prints
 * the versions, and sets exit code 1 when a migration fails.
 */
export async function migrateService<Config extends ServingConfig, Schema extends DatabaseSchema>(
  definition: DatabaseOwner<Config, Schema>,
  config: Config,
): Promise<void> {
  const { name, database } = definition;
  const db = await openDatabaseOf(definition, config);
  try {
    const result = await migrateServiceDatabase(db, database);
    console.log(
      `${name} database at version ${result.version} (event tables ${result.eventTablesVersion}): ${result.applied.length} migration(s) applied`,
    );
  } catch (error) {
    console.error(error instanceof MigrationError ? error.message : error);
    process.exitCode = 1;
  } finally {
    await db.close();
  }
}
