// CreateOrder against the users' standing the order service keeps (migration 0003): a known
// active user is not asked about again, a consumed UserDeactivated refuses them and cancels what
// was taken before it, on PGlite and PostgreSQL. The user service is a fake of the UserDirectory
// port, which counts the questions.
import { FailedPreconditionError, PageTokenCodec, type Principal } from '@platform/core';
import { withTransaction, type Database } from '@platform/db';
import { databaseTargets, preparePglite } from '@platform/db/testing';
import { migrateEventTables } from '@platform/events';
import { CreateOrderRequest, OrderStatus } from '@platform/proto';
import { sql } from 'drizzle-orm';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderBook } from './order-book.js';
import { migrateOrderDatabase } from './order-migrations.js';
import { orderRepository } from './order-repository.js';
import { orderSchema, type OrderSchema } from './order-schema.js';
import type { UserDirectory, UserStanding } from './user-directory.js';
import { userStandingRepository } from './user-standing-repository.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeAll(() => preparePglite());

/** The user service as the order book sees it: every user active unless told; counts the questions. */
class FakeUsers implements UserDirectory {
  readonly asked: string[] = [];
  readonly deactivated = new Set<string>();
  beforeAnswer: (userId: string) => Promise<void> = async () => undefined;

  async findUser(userId: string): Promise<UserStanding> {
    this.asked.push(userId);
    await this.beforeAnswer(userId);
    return { userId, active: !this.deactivated.has(userId) };
  }
}

const userPrincipal = (subject: string): Principal => ({ subject, kind: 'user', roles: ['user'] });

const orderRequest = () =>
  CreateOrderRequest.create({
    requestId: randomUUID(),
    currencyCode: 'EUR',
    items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: '250' }],
  });

async function expectRefused(outcome: Promise<unknown>, reason: string): Promise<void> {
  const error = await outcome.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FailedPreconditionError);
  expect((error as FailedPreconditionError).reason).toBe(reason);
}

const pendingOrdersOf = async (db: Database<OrderSchema>, userId: string) =>
  (await db.execute(sql`select id from orders where user_id = ${userId} and status = 'pending'`)).rows.length;

describe.each(databaseTargets)('OrderBook and the users’ standing on $name', (target) => {
  async function openBook(keep: boolean, clock: () => number = Date.now) {
    const opened = await target.open({ schema: orderSchema });
    cleanups.push(() => opened.dispose());
    await migrateOrderDatabase(opened.db);
    await migrateEventTables(opened.db);
    const users = new FakeUsers();
    const book = new OrderBook({
      db: opened.db,
      users,
      pageTokens: new PageTokenCodec({ key: randomBytes(32) }),
      keptStandings: keep ? { maxAgeMs: 60_000 } : undefined,
      clock,
    });
    const deactivate = (userId: string) =>
      withTransaction(opened.db, (tx) => book.deactivateUser(tx, userId, 'user deactivated: test'));
    return { ...opened, users, book, deactivate };
  }

  it.skipIf(target.skip)(
    'asks the user service about a user once, then trusts what it keeps, even while it is down',
    async () => {
      const { book, users } = await openBook(true);
      const alice = randomUUID();
      const first = await book.create(userPrincipal(alice), orderRequest());
      // The user service is down now: a known user's orders do not need it.
      users.beforeAnswer = () => Promise.reject(new Error('the user service is down'));
      const second = await book.create(userPrincipal(alice), orderRequest());
      expect([first.created, second.created]).toEqual([true, true]);
      expect(second.order.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
      expect(users.asked).toEqual([alice]);
    },
  );

  it.skipIf(target.skip)(
    'asks again about a user learnt active longer ago than the max age; a deactivation does not age',
    async () => {
      let now = Date.parse('2026-12-08T00:00:00Z');
      const { book, users, deactivate } = await openBook(true, () => now);
      const alice = randomUUID();
      await book.create(userPrincipal(alice), orderRequest());
      now += 59_999;
      await book.create(userPrincipal(alice), orderRequest());
      expect(users.asked).toEqual([alice]);
      now += 1;
      await book.create(userPrincipal(alice), orderRequest());
      expect(users.asked).toEqual([alice, alice]);
      // The answer renewed the standing: trusted for another minute.
      now += 59_999;
      await book.create(userPrincipal(alice), orderRequest());
      expect(users.asked).toEqual([alice, alice]);

      await deactivate(alice);
      now += 3_600_000;
      await expectRefused(book.create(userPrincipal(alice), orderRequest()), 'USER_DEACTIVATED');
      expect(users.asked).toEqual([alice, alice]);
    },
  );

  it.skipIf(target.skip)('without kept standings, asks about every new order and keeps nothing', async () => {
    const { book, users, db } = await openBook(false);
    const alice = randomUUID();
    await book.create(userPrincipal(alice), orderRequest());
    await book.create(userPrincipal(alice), orderRequest());
    expect(users.asked).toEqual([alice, alice]);
    expect((await db.execute(sql`select * from user_standings`)).rows).toEqual([]);
  });

  it.skipIf(target.skip)(
    'a consumed deactivation cancels the pending orders and refuses the next one without asking',
    async () => {
      const { book, users, db, deactivate } = await openBook(true);
      const alice = randomUUID();
      const { order } = await book.create(userPrincipal(alice), orderRequest());

      expect(await deactivate(alice)).toEqual([order.id]);
      await expectRefused(book.create(userPrincipal(alice), orderRequest()), 'USER_DEACTIVATED');
      expect(users.asked).toEqual([alice]);
      expect(await pendingOrdersOf(db, alice)).toBe(0);
      // Delivered again (a retry before the inbox row committed): nothing more to cancel.
      expect(await deactivate(alice)).toEqual([]);

      // A user the order service never saw: the event alone refuses them.
      const bob = randomUUID();
      expect(await deactivate(bob)).toEqual([]);
      await expectRefused(book.create(userPrincipal(bob), orderRequest()), 'USER_DEACTIVATED');
      expect(users.asked).toEqual([alice]);
    },
  );

  it.skipIf(target.skip)(
    'a deactivation consumed while the user service answered wins over the answer',
    async () => {
      const { book, users, db, deactivate } = await openBook(true);
      const alice = randomUUID();
      users.beforeAnswer = async (userId) => void (await deactivate(userId));
      await expectRefused(book.create(userPrincipal(alice), orderRequest()), 'USER_DEACTIVATED');
      expect(users.asked).toEqual([alice]);
      expect(await pendingOrdersOf(db, alice)).toBe(0);
    },
  );

  it.skipIf(target.skip)('a user the user service calls deactivated or unknown is refused', async () => {
    const { book, users } = await openBook(true);
    const carol = randomUUID();
    users.deactivated.add(carol);
    await expectRefused(book.create(userPrincipal(carol), orderRequest()), 'USER_DEACTIVATED');
    const unknown: UserDirectory = { findUser: async () => undefined };
    await expectRefused(
      book.create(userPrincipal(randomUUID()), orderRequest(), { users: unknown }),
      'USER_NOT_FOUND',
    );
  });

  // Two transactions at once need two connections: PostgreSQL only (PGlite has one).
  describe.skipIf(target.name !== 'postgres' || target.skip)('with a deactivation in flight', () => {
    const waitingOnLocks = (db: Database<OrderSchema>) =>
      expect.poll(
        async () =>
          (
            await db.execute(
              sql`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
            )
          ).rows.length,
        { timeout: 30_000, interval: 20 },
      );

    it('an order taken before the deactivation commits is cancelled by it', async () => {
      const { book, db, deactivate } = await openBook(true);
      const alice = randomUUID();
      await book.create(userPrincipal(alice), orderRequest());
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const orderId = randomUUID();
      // CreateOrder's transaction, stopped between its read of the standing and its commit.
      const taking = withTransaction(db, async (tx) => {
        expect(await userStandingRepository.lock(tx, alice)).toMatchObject({ active: true });
        const now = new Date();
        await orderRepository.insertIfAbsent(tx, {
          id: orderId,
          userId: alice,
          requestId: randomUUID(),
          requestHash: 'h',
          items: [],
          currencyCode: 'EUR',
          totalMinor: 0n,
          status: 'pending',
          version: 1n,
          createTime: now,
          updateTime: now,
          cancelReason: '',
        });
        await held;
      });
      const deactivating = deactivate(alice);
      await waitingOnLocks(db).toBe(1);
      release();
      await taking;
      expect(await deactivating).toContain(orderId);
      expect(await pendingOrdersOf(db, alice)).toBe(0);
    });

    it('an order asked for while the deactivation is uncommitted waits for it and is refused', async () => {
      const { book, db } = await openBook(true);
      const alice = randomUUID();
      await book.create(userPrincipal(alice), orderRequest());
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const standingWritten = new Promise<void>((resolve) => (written = resolve));
      // The consumer's transaction, stopped after it wrote the standing and before its commit.
      const deactivating = withTransaction(db, async (tx) => {
        const cancelled = await book.deactivateUser(tx, alice, 'user deactivated: test');
        written();
        await held;
        return cancelled;
      });
      await standingWritten;
      const creating = book.create(userPrincipal(alice), orderRequest());
      await waitingOnLocks(db).toBe(1);
      release();
      expect(await deactivating).toHaveLength(1);
      await expectRefused(creating, 'USER_DEACTIVATED');
      expect(await pendingOrdersOf(db, alice)).toBe(0);
    });
  });
});
