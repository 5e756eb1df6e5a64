import type { Database, DatabaseSchema } from './database.js';
import type { DatabaseOptions } from './database-options.js';
import { openPgDatabase } from './drivers/pg-driver.js';
import { openPgliteDatabase } from './drivers/pglite-driver.js';

/**
 * Opens the service's database: PostgreSQL through a `pg` pool when `url` is set (and checks
 * that it answers), else embedded PGlite in `dataDir` or in memory. Both speak PostgreSQL's SQL
 * through the same drizzle query builder.
 */
export async function openDatabase<Schema extends DatabaseSchema = Record<string, never>>(
  options: DatabaseOptions<Schema>,
): Promise<Database<Schema>> {
  if (options.url) return openPgDatabase(options.url, options);
  if (options.dataDir || options.inMemory) return openPgliteDatabase(options);
  throw new TypeError('openDatabase needs a url (PostgreSQL), a dataDir or inMemory: true (PGlite)');
}
