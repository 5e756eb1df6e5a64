// The cases only a server with concurrent sessions can show: real serialization failures and
// deadlocks between connections, server-side cancellation and statement timeouts.
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { accounts, balances, failureOf, openWithAccounts } from '../__fixtures__/accounts.js';
import { postgresTarget, type OpenedDatabase, type TargetOptions } from '../testing/index.js';
import { barrier } from '../__fixtures__/deferred.js';
import { activeQueries, shownTimeoutMs } from '../__fixtures__/server-activity.js';
import { sqlStateOf } from './sql-state.js';
import { TransactionCancelledError } from './transaction-cancelled-error.js';
import { withTransaction } from './with-transaction.js';

describe.skipIf(postgresTarget.skip)('withTransaction on postgres only', () => {
  const target = postgresTarget;
  let opened: OpenedDatabase | undefined;

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  async function setUp(options: TargetOptions = {}) {
    opened = await openWithAccounts(target, options);
    return opened.db;
  }

  describe('concurrent serializable transactions in write skew', () => {
    it('abort one with a real serialization failure, which is retried and sees the other commit', async () => {
      const db = await setUp();
      const bothRead = barrier(2);
      let attempts = 0;

      const withdraw = (id: string) =>
        withTransaction(
          db,
          async (tx) => {
            attempts += 1;
            const [row] = (
              await tx.execute<{ total: number }>(sql`select sum(balance)::int as total from accounts`)
            ).rows;
            if (attempts <= 2) await bothRead();
            // The rule "the total stays >= 100" holds only if the two withdrawals serialise.
            if ((row?.total ?? 0) >= 200) {
              await tx
                .update(accounts)
                .set({ balance: sql`${accounts.balance} - 100` })
                .where(eq(accounts.id, id));
            }
          },
          { isolation: 'serializable', retryDelayMs: 1 },
        );

      await Promise.all([withdraw('a'), withdraw('b')]);

      // One is aborted and runs again: 3 attempts, or more if its retry read before the other
      // committed (as with the deadlock below). The rule held either way.
      expect(attempts).toBeGreaterThanOrEqual(3);
      const final = await balances(db);
      expect((final['a'] ?? 0) + (final['b'] ?? 0)).toBe(100);
    });
  });

  describe('two transactions locking rows in opposite orders', () => {
    it('deadlock (40P01); the victim is retried and both complete', async () => {
      const db = await setUp();
      const bothLocked = barrier(2);
      let attempts = 0;

      const transfer = (first: string, second: string) =>
        withTransaction(
          db,
          async (tx) => {
            attempts += 1;
            await tx
              .update(accounts)
              .set({ balance: sql`${accounts.balance} - 10` })
              .where(eq(accounts.id, first));
            if (attempts <= 2) await bothLocked();
            await tx
              .update(accounts)
              .set({ balance: sql`${accounts.balance} + 10` })
              .where(eq(accounts.id, second));
          },
          { retryDelayMs: 1 },
        );

      await Promise.all([transfer('a', 'b'), transfer('b', 'a')]);

      // The victim runs again: 3 attempts. On a busy machine its retry can take its first row
      // again before the survivor, woken by the victim's rollback, does (an update passes a row
      // whose locker aborted): a second deadlock and one more attempt. Each transfer still
      // applies once.
      expect(attempts).toBeGreaterThanOrEqual(3);
      expect(await balances(db)).toEqual({ a: 100, b: 100 });
    });
  });

  describe('a long statement when the signal aborts', () => {
    it('is cancelled on the server: gone from pg_stat_activity, the caller rejected, the writes rolled back', async () => {
      const db = await setUp({ pool: { max: 4 } });
      const marker = `cancel_${randomBytes(4).toString('hex')}`;
      const controller = new AbortController();

      const running = withTransaction(
        db,
        async (tx) => {
          await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'a'));
          await tx.execute(sql.raw(`select pg_sleep(60) /* ${marker} */`));
        },
        { signal: controller.signal },
      );
      running.catch(() => undefined);
      await expect.poll(() => activeQueries(db, marker), { timeout: 10_000 }).toBe(1);

      controller.abort(new Error('client cancelled'));

      // withTransaction settles only after the rollback, which queues behind the sleep: it can
      // reject within the test timeout only if the server stopped the sleep.
      const failure = await failureOf(running);
      expect(failure).toBeInstanceOf(TransactionCancelledError);
      expect((failure as TransactionCancelledError).kind).toBe('aborted');
      expect(await activeQueries(db, marker)).toBe(0);
      expect(await balances(db)).toEqual({ a: 100, b: 100 });
    });
  });

  describe("a callback's own error (a refused transition)", () => {
    it('leaves its connection, rolled back, in the pool for the next transaction', async () => {
      const db = await setUp({ pool: { max: 1 } });
      const backend = () =>
        withTransaction(
          db,
          async (tx) => (await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)).rows[0]?.pid,
        );
      const before = await backend();

      const failure = await failureOf(
        withTransaction(db, async (tx) => {
          await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'a'));
          throw new Error('refused');
        }),
      );

      expect((failure as Error).message).toBe('refused');
      expect(await backend()).toBe(before);
      expect(await balances(db)).toEqual({ a: 100, b: 100 });
    });
  });

  describe('the statement timeout', () => {
    it('is set on every pooled connection', async () => {
      const db = await setUp({ statementTimeoutMs: 250 });
      const failure = await failureOf(db.execute(sql`select pg_sleep(5)`));
      expect(sqlStateOf(failure)).toBe('57014');
    });

    it('ends a statement inside a transaction as a TransactionCancelledError of kind timeout', async () => {
      const db = await setUp({ statementTimeoutMs: 250 });
      const failure = await failureOf(withTransaction(db, (tx) => tx.execute(sql`select pg_sleep(5)`)));
      expect(failure).toBeInstanceOf(TransactionCancelledError);
      expect((failure as TransactionCancelledError).kind).toBe('timeout');
      expect(sqlStateOf((failure as Error).cause)).toBe('57014');
    });

    it('is lowered to the remaining budget with SET LOCAL, and restored after the transaction', async () => {
      const db = await setUp({ statementTimeoutMs: 60_000 });
      const inside = await withTransaction(
        db,
        async (tx) => (await tx.execute<{ statement_timeout: string }>(sql`show statement_timeout`)).rows[0],
        { timeoutMs: 5_000 },
      );
      const outside = (await db.execute<{ statement_timeout: string }>(sql`show statement_timeout`)).rows[0];

      expect(shownTimeoutMs(inside?.statement_timeout)).toBeGreaterThan(1_000);
      expect(shownTimeoutMs(inside?.statement_timeout)).toBeLessThanOrEqual(5_000);
      expect(outside?.statement_timeout).toBe('1min');
    });
  });
});
