import type { Database, DatabaseSchema, Transaction } from '@platform/db';
import { sql } from 'drizzle-orm';

/** The consumer's record of applied events (table `event_inbox`, libs/events/migrations). */
export const inbox = {
  /**
   * Records the event for the group in `tx`; false when it is already there (a redelivery:
   * skip the effect). Concurrent claims of one event wait for each other on the primary key.
   */
  async claim(
    tx: Transaction<DatabaseSchema>,
    group: string,
    eventId: string,
    eventType: string,
  ): Promise<boolean> {
    const result = await tx.execute<{ event_id: string }>(
      sql`insert into event_inbox (consumer_group, event_id, event_type) values (${group}, ${eventId}, ${eventType})
          on conflict do nothing returning event_id`,
    );
    return result.rows.length > 0;
  },

  /** Deletes the group's rows older than `before` (Kafka no longer redelivers those events). */
  async prune(db: Database<DatabaseSchema>, group: string, before: Date): Promise<void> {
    await db.execute(sql`delete from event_inbox where consumer_group = ${group} and handled_at < ${before}`);
  },
};
