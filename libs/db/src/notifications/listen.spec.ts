import { sql } from 'drizzle-orm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failureOf } from '../__fixtures__/accounts.js';
import type { Database } from '../database.js';
import { databaseTargets, pgliteTarget, preparePglite, type OpenedDatabase } from '../testing/index.js';
import { withTransaction } from '../transaction/with-transaction.js';
import { listen } from './listen.js';
import type { ListenOptions, Subscription } from './listen-options.js';
import { notify } from './notify.js';

beforeAll(() => preparePglite());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A subscriber that records what it receives. */
async function subscribe(db: Database, channel: string, options: ListenOptions = {}) {
  const received: string[] = [];
  const subscription: Subscription = await listen(
    db,
    channel,
    (payload) => void received.push(payload),
    options,
  );
  return { received, subscription };
}

const commitNotification = (db: Database, channel: string, payload: string) =>
  withTransaction(db, (tx) => notify(tx, channel, payload));

const invalidChannels = [
  'Orders',
  'order-events',
  '1st',
  '',
  'a; drop table x',
  '"quoted"',
  'é',
  'x'.repeat(64),
];

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`listen and notify on ${target.name}`, () => {
    let opened: OpenedDatabase | undefined;

    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
    });

    async function setUp(): Promise<Database> {
      opened = await target.open({ applicationName: 'listen-spec' });
      return opened.db;
    }

    describe('a notification sent in a transaction', () => {
      it('is delivered after COMMIT, not before', async () => {
        const db = await setUp();
        const { received } = await subscribe(db, 'order_changes');

        await withTransaction(db, async (tx) => {
          await notify(tx, 'order_changes', 'o-1');
          await pause(50);
          expect(received).toEqual([]);
        });

        await expect.poll(() => received).toEqual(['o-1']);
      });

      it('is never delivered when the transaction rolls back', async () => {
        const db = await setUp();
        const { received } = await subscribe(db, 'order_changes');

        const failure = await failureOf(
          withTransaction(db, async (tx) => {
            await notify(tx, 'order_changes', 'rolled-back');
            throw new Error('refused');
          }),
        );
        await commitNotification(db, 'order_changes', 'committed');

        expect(failure).toEqual(new Error('refused'));
        await expect.poll(() => received).toEqual(['committed']);
        await pause(50);
        expect(received).toEqual(['committed']);
      });

      it("reaches the handler in the listener's async context, not the writer's", async () => {
        const db = await setUp();
        const context = new AsyncLocalStorage<string>();
        const seen: (string | undefined)[] = [];
        await context.run('listener', () =>
          listen(db, 'order_changes', () => void seen.push(context.getStore())),
        );

        await context.run('writer', () => commitNotification(db, 'order_changes', 'o-1'));

        await expect.poll(() => seen).toEqual(['listener']);
      });

      it('arrives in commit order, identical ones of one transaction once', async () => {
        const db = await setUp();
        const { received } = await subscribe(db, 'order_changes');

        await withTransaction(db, async (tx) => {
          await notify(tx, 'order_changes', 'a');
          await notify(tx, 'order_changes', 'a');
          await notify(tx, 'order_changes', 'b');
        });
        await db.execute(sql`select pg_notify('order_changes', 'c')`);

        await expect.poll(() => received).toEqual(['a', 'b', 'c']);
      });
    });

    describe('several subscribers', () => {
      it('each receive their channel’s notifications and only those (keywords are channel names too)', async () => {
        const db = await setUp();
        const first = await subscribe(db, 'order');
        const second = await subscribe(db, 'order');
        const other = await subscribe(db, 'user');

        await commitNotification(db, 'order', 'o-1');
        await commitNotification(db, 'user', 'u-1');
        await notify(db, 'order', '');

        await expect.poll(() => first.received).toEqual(['o-1', '']);
        await expect.poll(() => other.received).toEqual(['u-1']);
        expect(second.received).toEqual(['o-1', '']);
      });

      it('a closed subscription receives nothing more; the others still do', async () => {
        const db = await setUp();
        const leaving = await subscribe(db, 'order_changes');
        const staying = await subscribe(db, 'order_changes');

        await commitNotification(db, 'order_changes', 'before');
        await expect.poll(() => leaving.received).toEqual(['before']);
        await leaving.subscription.close();
        await leaving.subscription.close();
        await commitNotification(db, 'order_changes', 'after');

        await expect.poll(() => staying.received).toEqual(['before', 'after']);
        expect(leaving.received).toEqual(['before']);
      });

      it('an onNotification that throws or rejects is reported to onError and delivery goes on', async () => {
        const db = await setUp();
        const errors: string[] = [];
        const received: string[] = [];
        const onError = (error: Error) => void errors.push(error.message);
        await listen(
          db,
          'order_changes',
          (payload) => {
            received.push(payload);
            throw new Error(`cannot handle ${payload}`);
          },
          { onError },
        );
        await listen(
          db,
          'order_changes',
          async (payload) => {
            throw new Error(`rejected ${payload}`);
          },
          { onError },
        );

        await commitNotification(db, 'order_changes', 'one');
        await commitNotification(db, 'order_changes', 'two');

        await expect.poll(() => received).toEqual(['one', 'two']);
        await expect
          .poll(() => [...errors].sort())
          .toEqual(['cannot handle one', 'cannot handle two', 'rejected one', 'rejected two']);
      });
    });

    describe('bad input', () => {
      it('rejects channels that are not lower-case identifiers with a TypeError, listening or notifying', async () => {
        const db = await setUp();

        for (const channel of invalidChannels) {
          await expect(
            listen(db, channel, () => undefined),
            channel,
          ).rejects.toBeInstanceOf(TypeError);
          await expect(notify(db, channel, 'x'), channel).rejects.toBeInstanceOf(TypeError);
        }
      });

      it('refuses a payload of 8000 bytes or more with a RangeError, and delivers 7999', async () => {
        const db = await setUp();
        const { received } = await subscribe(db, 'big');

        await expect(notify(db, 'big', 'a'.repeat(8_000))).rejects.toBeInstanceOf(RangeError);
        await expect(notify(db, 'big', 'é'.repeat(4_000))).rejects.toThrow(/8000 bytes/);
        await notify(db, 'big', 'a'.repeat(7_999));

        await expect.poll(() => received.map((payload) => payload.length)).toEqual([7_999]);
      });
    });

    describe('db.close() with active subscriptions', () => {
      it('resolves, after which listen rejects and closing a subscription still resolves', async () => {
        const db = await setUp();
        const { received, subscription } = await subscribe(db, 'order_changes');
        await subscribe(db, 'user_changes');

        await expect(db.close()).resolves.toBeUndefined();

        await expect(listen(db, 'order_changes', () => undefined)).rejects.toThrow(/the database is closed/);
        await expect(subscription.close()).resolves.toBeUndefined();
        expect(received).toEqual([]);
      });
    });
  });
}

describe('listen on pglite only', () => {
  let opened: OpenedDatabase | undefined;

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  async function listeningChannels(db: Database): Promise<string[]> {
    const result = await db.execute<{ channel: string }>(
      sql`select pg_listening_channels() as channel order by 1`,
    );
    return result.rows.map((row) => row.channel);
  }

  it('LISTENs once per channel and UNLISTENs after the channel’s last subscriber leaves', async () => {
    opened = await pgliteTarget.open();
    const { db } = opened;
    const first = await subscribe(db, 'order');
    const second = await subscribe(db, 'order');
    const other = await subscribe(db, 'user_changes');
    expect(await listeningChannels(db)).toEqual(['order', 'user_changes']);

    await first.subscription.close();
    expect(await listeningChannels(db)).toEqual(['order', 'user_changes']);
    await second.subscription.close();
    expect(await listeningChannels(db)).toEqual(['user_changes']);
    await other.subscription.close();
    expect(await listeningChannels(db)).toEqual([]);
  });
});
