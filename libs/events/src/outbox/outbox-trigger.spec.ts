// The outbox's insert trigger (migration 0003): any committed insert wakes the relay, whoever
// wrote the row (recordEvent, or a writer in another language with plain SQL).
import { listen, withTransaction, type Database } from '@platform/db';
import { databaseTargets, preparePglite } from '@platform/db/testing';
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateEventTables } from './event-migrations.js';
import { outboxChannel } from './record-event.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeAll(() => preparePglite());

const insertRow = (db: Pick<Database, 'execute'>, aggregateId: string) =>
  db.execute(sql`insert into outbox (id, aggregatetype, aggregateid, type, payload)
                 values (${randomUUID()}, 'order', ${aggregateId}, 'platform.order.v1.OrderCreated', '\\x00'::bytea)`);

describe.each(databaseTargets)('the outbox on $name', (target) => {
  async function setUp() {
    const opened = await target.open();
    cleanups.push(() => opened.dispose());
    await migrateEventTables(opened.db);
    const wakeUps: string[] = [];
    const subscription = await listen(opened.db, outboxChannel, (payload) => void wakeUps.push(payload));
    cleanups.push(() => subscription.close());
    return { db: opened.db, wakeUps };
  }

  it.skipIf(target.skip)(
    'notifies outbox_events once per committed transaction, never for a rolled-back one',
    async () => {
      const { db, wakeUps } = await setUp();
      await withTransaction(db, async (tx) => {
        await insertRow(tx, 'a');
        await insertRow(tx, 'b');
      });
      await expect.poll(() => wakeUps).toEqual(['']);

      await withTransaction(db, async (tx) => {
        await insertRow(tx, 'rolled back');
        throw new Error('refused');
      }).catch(() => undefined);
      // A committed insert outside any transaction of the caller's, then a sentinel: notifications
      // arrive in commit order, so once the sentinel is in, nothing else is on its way.
      await insertRow(db, 'c');
      await db.execute(sql`select pg_notify(${outboxChannel}, 'sentinel')`);
      await expect.poll(() => wakeUps.at(-1)).toBe('sentinel');
      expect(wakeUps).toEqual(['', '', 'sentinel']);
      expect((await db.execute<{ n: number }>(sql`select count(*)::int as n from outbox`)).rows[0]?.n).toBe(
        3,
      );
    },
  );
});
