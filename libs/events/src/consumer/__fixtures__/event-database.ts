import type { Database } from '@platform/db';
import { pgliteTarget } from '@platform/db/testing';
import { sql } from 'drizzle-orm';
import { migrateEventTables } from '../../outbox/event-migrations.js';

/** A fresh PGlite database with the event tables and an `effects (event_id)` table for handlers to write. */
export async function eventDatabase(): Promise<{ db: Database; dispose(): Promise<void> }> {
  const opened = await pgliteTarget.open();
  await migrateEventTables(opened.db);
  await opened.db.execute(sql`create table effects (event_id text not null)`);
  return opened;
}

/** The rows of `effects` and `event_inbox` (group and event id), to assert what committed. */
export async function committed(db: Database) {
  const effects = await db.execute<{ event_id: string }>(sql`select event_id from effects order by event_id`);
  const inboxRows = await db.execute<{ consumer_group: string; event_id: string }>(
    sql`select consumer_group, event_id from event_inbox order by consumer_group, event_id`,
  );
  return {
    effects: effects.rows.map((row) => row.event_id),
    inbox: inboxRows.rows.map((row) => `${row.consumer_group}/${row.event_id}`),
  };
}
