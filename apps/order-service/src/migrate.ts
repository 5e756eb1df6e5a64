#!/usr/bin/env node
// `order-service migrate`: applies the order service's migrations to the configured database and
// exits (a deploy step or a Kubernetes Job); the service also applies them at start.
import { loadConfigOrExit } from '@platform/config';
import { MigrationError } from '@platform/db';
import { migrateEventTables } from '@platform/events';
import { migrateOrderDatabase } from '@platform/order-domain';
import { openOrderDatabase } from './open-order-database.js';
import { orderServiceConfig } from './order-service.config.js';

const config = loadConfigOrExit(orderServiceConfig);
const db = await openOrderDatabase(config);
try {
  const result = await migrateOrderDatabase(db);
  const events = await migrateEventTables(db);
  console.log(
    `order-service database at version ${result.version} (event tables ${events.version}): ${result.applied.length + events.applied.length} migration(s) applied`,
  );
} catch (error) {
  console.error(error instanceof MigrationError ? error.message : error);
  process.exitCode = 1;
} finally {
  await db.close();
}
