// The orders table's trigger (migration 0002): every committed insert and update of an order
// announces its id on order_changes, which the change feed (WatchOrder, TrackOrders) follows.
import { listen, withTransaction, type Database } from '@platform/db';
import { databaseTargets, preparePglite } from '@platform/db/testing';
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrateOrderDatabase } from './order-migrations.js';
import { orderChangesChannel } from './order-repository.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeAll(() => preparePglite());

const userId = randomUUID();
const insertOrder = (db: Pick<Database, 'execute'>, id: string, requestId: string) =>
  db.execute(sql`insert into orders (id, user_id, request_id, request_hash, items, currency_code, total_minor,
                   status, version, create_time, update_time)
                 values (${id}, ${userId}, ${requestId}, 'h', '[]'::jsonb, 'EUR', 0, 'pending', 1, now(), now())
                 on conflict do nothing`);

describe.each(databaseTargets)('the orders table on $name', (target) => {
  it.skipIf(target.skip)(
    'announces each committed insert and update with the order id, nothing for a rollback or a conflict',
    async () => {
      const opened = await target.open();
      cleanups.push(() => opened.dispose());
      const { db } = opened;
      await migrateOrderDatabase(db);
      const changes: string[] = [];
      const subscription = await listen(db, orderChangesChannel, (payload) => void changes.push(payload));
      cleanups.push(() => subscription.close());
      const [first, second] = [randomUUID(), randomUUID()];

      await insertOrder(db, first, 'r-1');
      await withTransaction(db, (tx) =>
        tx.execute(sql`update orders set status = 'cancelled', version = version + 1 where id = ${first}`),
      );
      await withTransaction(db, async (tx) => {
        await insertOrder(tx, second, 'r-2');
        throw new Error('refused');
      }).catch(() => undefined);
      // The same request id again: the insert does nothing, so nothing is announced.
      await insertOrder(db, randomUUID(), 'r-1');
      // Notifications arrive in commit order: once the sentinel is in, nothing else is on its way.
      await db.execute(sql`select pg_notify(${orderChangesChannel}, 'sentinel')`);
      await expect.poll(() => changes.at(-1)).toBe('sentinel');
      expect(changes).toEqual([first, first, 'sentinel']);
    },
  );
});
