import {
  withTransaction,
  type Database,
  type DatabaseSchema,
  type Transaction,
  type TransactionOptions,
} from '@platform/db';
import type { Logger } from '@platform/observability';
import { sql } from 'drizzle-orm';

/** How often a consumer deletes its inbox rows past retention. */
const pruneIntervalMs = 60 * 60 * 1000;

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

  /**
   * Applies an event once per group: claims it and runs `effect` in one transaction, so the
   * inbox row and the effect commit together or not at all. False, without running `effect`,
   * when the group already applied it.
   */
  applyOnce(
    db: Database<DatabaseSchema>,
    group: string,
    event: { readonly id: string; readonly type: string },
    effect: (tx: Transaction<DatabaseSchema>) => Promise<void>,
    options: TransactionOptions = {},
  ): Promise<boolean> {
    return withTransaction(
      db,
      async (tx) => {
        if (!(await inbox.claim(tx, group, event.id, event.type))) return false;
        await effect(tx);
        return true;
      },
      options,
    );
  },

  /** Deletes the group's rows older than `before` (Kafka no longer redelivers those events). */
  async prune(db: Database<DatabaseSchema>, group: string, before: Date): Promise<void> {
    await db.execute(sql`delete from event_inbox where consumer_group = ${group} and handled_at < ${before}`);
  },

  /** Prunes the group's rows older than `retentionMs` every hour (a failure is logged); returns the cancel. */
  schedulePruning(
    db: Database<DatabaseSchema>,
    group: string,
    retentionMs: number,
    logger: Logger,
  ): () => void {
    const timer = setInterval(() => {
      inbox.prune(db, group, new Date(Date.now() - retentionMs)).catch((error: unknown) => {
        logger.warn({ err: error }, 'inbox prune failed');
      });
    }, pruneIntervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
