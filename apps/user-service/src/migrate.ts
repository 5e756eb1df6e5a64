#!/usr/bin/env node
// `user-service migrate`: applies the user service's migrations to the configured database and
// exits (a deploy step or a Kubernetes Job); the service also applies them at start.
import { loadConfigOrExit } from '@platform/config';
import { MigrationError } from '@platform/db';
import { migrateEventTables } from '@platform/events';
import { migrateUserDatabase } from '@platform/user-domain';
import { openUserDatabase } from './open-user-database.js';
import { userServiceConfig } from './user-service.config.js';

const config = loadConfigOrExit(userServiceConfig);
const db = await openUserDatabase(config);
try {
  const result = await migrateUserDatabase(db);
  const events = await migrateEventTables(db);
  console.log(
    `user-service database at version ${result.version} (event tables ${events.version}): ${result.applied.length + events.applied.length} migration(s) applied`,
  );
} catch (error) {
  console.error(error instanceof MigrationError ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.close();
}
