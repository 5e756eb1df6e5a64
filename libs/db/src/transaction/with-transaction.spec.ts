import { Code, deadlineExceeded } from '@platform/core';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accounts, balances, failureOf, openWithAccounts } from '../__fixtures__/accounts.js';
import { databaseTargets, preparePglite, type OpenedDatabase, type TargetOptions } from '../testing/index.js';
import { deferred } from '../__fixtures__/deferred.js';
import { DatabaseUnavailableError } from '../connection/database-unavailable-error.js';
import type { Database } from '../database.js';
import { sqlStateOf } from './sql-state.js';
import { TransactionCancelledError } from './transaction-cancelled-error.js';
import { withTransaction } from './with-transaction.js';

beforeAll(() => preparePglite());

const raiseSerializationFailure = sql`do $$ begin raise exception 'simulated conflict' using errcode = 'serialization_failure'; end $$`;

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`withTransaction on ${target.name}`, () => {
    let opened: OpenedDatabase | undefined;
    const releases: (() => void)[] = [];

    afterEach(async () => {
      for (const release of releases.splice(0)) release();
      await opened?.dispose();
      opened = undefined;
    });

    async function setUp(options: TargetOptions = {}) {
      opened = await openWithAccounts(target, options);
      return opened.db;
    }

    describe('a callback that resolves', () => {
      it('commits every write and returns its value', async () => {
        const db = await setUp();

        const result = await withTransaction(db, async (tx) => {
          await tx.update(accounts).set({ balance: 40 }).where(eq(accounts.id, 'a'));
          await tx.update(accounts).set({ balance: 160 }).where(eq(accounts.id, 'b'));
          return 'moved';
        });

        expect(result).toBe('moved');
        expect(await balances(db)).toEqual({ a: 40, b: 160 });
      });

      it('commits a nested savepoint that succeeded and drops one that failed', async () => {
        const db = await setUp();

        await withTransaction(db, async (tx) => {
          await tx.update(accounts).set({ balance: 1 }).where(eq(accounts.id, 'a'));
          await tx
            .transaction(async (inner) => {
              await inner.update(accounts).set({ balance: 2 }).where(eq(accounts.id, 'b'));
              throw new Error('inner failure');
            })
            .catch(() => undefined);
        });

        expect(await balances(db)).toEqual({ a: 1, b: 100 });
      });
    });

    describe('a callback that throws', () => {
      it('rolls back every write and rejects with its error', async () => {
        const db = await setUp();
        const problem = new Error('insufficient funds');

        const failure = await failureOf(
          withTransaction(db, async (tx) => {
            await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'a'));
            await tx.insert(accounts).values({ id: 'c', balance: 5 });
            throw problem;
          }),
        );

        expect(failure).toBe(problem);
        expect(await balances(db)).toEqual({ a: 100, b: 100 });
      });

      it('is not retried when the error is not a serialization failure', async () => {
        const db = await setUp();
        let attempts = 0;
        const failure = await failureOf(
          withTransaction(db, async (tx) => {
            attempts += 1;
            await tx.insert(accounts).values({ id: 'a', balance: 1 });
          }),
        );
        expect(sqlStateOf(failure)).toBe('23505');
        expect(attempts).toBe(1);
      });
    });

    describe('a statement failing with a connection-level SQLSTATE', () => {
      it('rejects with DatabaseUnavailableError, the database error as cause, and rolls back', async () => {
        const db = await setUp();

        const failure = await failureOf(
          withTransaction(db, async (tx) => {
            await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'a'));
            await tx.execute(
              sql`do $$ begin raise exception 'simulated shutdown' using errcode = 'admin_shutdown'; end $$`,
            );
          }),
        );

        expect(failure).toBeInstanceOf(DatabaseUnavailableError);
        expect(failure).toMatchObject({ code: 14, reason: 'DATABASE_UNAVAILABLE' });
        expect(sqlStateOf((failure as Error).cause)).toBe('57P01');
        expect(await balances(db)).toEqual({ a: 100, b: 100 });
      });
    });

    describe('a callback failing with a socket error of its own (a downstream call)', () => {
      it('rejects with that error: the database is not to blame', async () => {
        const db = await setUp();
        const downstream = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
          code: 'ECONNREFUSED',
          syscall: 'connect',
        });

        const failure = await failureOf(
          withTransaction(db, async (tx) => {
            await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'a'));
            throw new Error('fetch failed', { cause: downstream });
          }),
        );

        expect(failure).not.toBeInstanceOf(DatabaseUnavailableError);
        expect((failure as Error).cause).toBe(downstream);
        expect(await balances(db)).toEqual({ a: 100, b: 100 });
      });
    });

    describe('a serialization failure (SQLSTATE 40001)', () => {
      it('runs the callback again in a new transaction, and the retry commits', async () => {
        const db = await setUp();
        let attempts = 0;

        await withTransaction(db, async (tx) => {
          attempts += 1;
          await tx
            .update(accounts)
            .set({ balance: sql`${accounts.balance} + 1` })
            .where(eq(accounts.id, 'a'));
          if (attempts === 1) await tx.execute(raiseSerializationFailure);
        });

        expect(attempts).toBe(2);
        // The first attempt's increment was rolled back: exactly one increment is visible.
        expect(await balances(db)).toEqual({ a: 101, b: 100 });
      });

      it('rejects with the database error after maxAttempts', async () => {
        const db = await setUp();
        let attempts = 0;

        const failure = await failureOf(
          withTransaction(
            db,
            async (tx) => {
              attempts += 1;
              await tx.execute(raiseSerializationFailure);
            },
            { maxAttempts: 3, retryDelayMs: 1 },
          ),
        );

        expect(attempts).toBe(3);
        expect(sqlStateOf(failure)).toBe('40001');
      });

      it('is not retried with maxAttempts: 1', async () => {
        const db = await setUp();
        let attempts = 0;
        await failureOf(
          withTransaction(
            db,
            async (tx) => {
              attempts += 1;
              await tx.execute(raiseSerializationFailure);
            },
            { maxAttempts: 1 },
          ),
        );
        expect(attempts).toBe(1);
      });
    });

    describe('a signal that already aborted', () => {
      it('rejects without running the callback', async () => {
        const db = await setUp();
        let ran = false;

        const failure = await failureOf(
          withTransaction(
            db,
            async () => {
              ran = true;
            },
            { signal: AbortSignal.abort('client cancelled') },
          ),
        );

        expect(failure).toBeInstanceOf(TransactionCancelledError);
        expect(failure).toMatchObject({
          kind: 'aborted',
          message: 'transaction cancelled: client cancelled',
        });
        expect(ran).toBe(false);
      });

      it('rejects with kind timeout when the signal aborted because its deadline passed', async () => {
        const db = await setUp();
        const failure = await failureOf(
          withTransaction(db, async () => undefined, { signal: AbortSignal.abort(deadlineExceeded()) }),
        );

        expect(failure).toMatchObject({ kind: 'timeout', code: Code.DEADLINE_EXCEEDED });
      });
    });

    describe('a signal that aborts while the callback awaits other work', () => {
      it('rejects at once and rolls back what was written', async () => {
        const db = await setUp();
        const controller = new AbortController();
        const downstream = deferred();
        releases.push(downstream.resolve);
        const written = deferred();

        const running = withTransaction(
          db,
          async (tx) => {
            await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'a'));
            written.resolve();
            await downstream.promise; // a downstream call that never answers
            await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'b'));
          },
          { signal: controller.signal },
        );
        await written.promise;
        controller.abort(new Error('the client cancelled the call'));

        const failure = await failureOf(running);
        expect(failure).toBeInstanceOf(TransactionCancelledError);
        expect((failure as TransactionCancelledError).kind).toBe('aborted');
        expect(await balances(db)).toEqual({ a: 100, b: 100 });

        // The abandoned callback going on later cannot write either.
        downstream.resolve();
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await balances(db)).toEqual({ a: 100, b: 100 });
      });
    });

    describe('a time budget that runs out', () => {
      it('rejects with kind timeout and rolls back', async () => {
        const db = await setUp();

        const failure = await failureOf(
          withTransaction(
            db,
            async (tx) => {
              await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'a'));
              await tx.execute(sql`select pg_sleep(0.5)`);
              await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'b'));
            },
            { timeoutMs: 150 },
          ),
        );

        expect(failure).toBeInstanceOf(TransactionCancelledError);
        expect((failure as TransactionCancelledError).kind).toBe('timeout');
        expect(await balances(db)).toEqual({ a: 100, b: 100 });
      });
    });

    describe('a read-only transaction', () => {
      it('refuses writes', async () => {
        const db = await setUp();
        const failure = await failureOf(
          withTransaction(db, (tx) => tx.update(accounts).set({ balance: 0 }), { readOnly: true }),
        );
        expect(sqlStateOf(failure)).toBe('25006');
      });
    });

    describe('a database that was not opened by openDatabase', () => {
      it('is refused with a TypeError', async () => {
        await expect(withTransaction({} as Database, async () => 1)).rejects.toThrow(TypeError);
      });
    });
  });
}
