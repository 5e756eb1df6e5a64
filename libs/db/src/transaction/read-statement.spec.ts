import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accounts, balances, failureOf, openWithAccounts } from '../__fixtures__/accounts.js';
import { databaseTargets, preparePglite, type OpenedDatabase } from '../testing/index.js';
import { readStatement } from './read-statement.js';
import { SingleStatementError } from './single-statement-error.js';
import { sqlStateOf } from './sql-state.js';
import { TransactionCancelledError } from './transaction-cancelled-error.js';

beforeAll(() => preparePglite());

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`readStatement on ${target.name}`, () => {
    let opened: OpenedDatabase | undefined;

    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
    });

    async function setUp() {
      opened = await openWithAccounts(target);
      return opened.db;
    }

    it("returns the statement's result", async () => {
      const db = await setUp();
      const rows = await readStatement(db, (tx) => tx.select().from(accounts).where(eq(accounts.id, 'b')));
      expect(rows).toEqual([{ id: 'b', balance: 100 }]);
    });

    it('refuses a second statement with a SingleStatementError, and does not run it', async () => {
      const db = await setUp();
      const failure = await failureOf(
        readStatement(db, async (tx) => {
          await tx.select().from(accounts);
          await tx.update(accounts).set({ balance: 0 }).where(eq(accounts.id, 'a'));
        }),
      );
      // drizzle reports it as the failure of the refused query, with the reason as its cause.
      expect((failure as Error).message).toMatch(/^Failed query: update "accounts"/);
      expect((failure as Error).cause).toBeInstanceOf(SingleStatementError);
      expect(((failure as Error).cause as Error).message).toMatch(/use withTransaction/);
      expect(await balances(db)).toEqual({ a: 100, b: 100 });
    });

    it("rejects with the database's error, and the next read runs", async () => {
      const db = await setUp();
      const failure = await failureOf(
        readStatement(db, (tx) => tx.execute(sql`select * from no_such_table`)),
      );
      expect(sqlStateOf(failure)).toBe('42P01');
      expect(await readStatement(db, (tx) => tx.select().from(accounts))).toHaveLength(2);
    });

    it("rejects with the callback's own error", async () => {
      const db = await setUp();
      const mistake = new Error('not found');
      const failure = await failureOf(
        readStatement(db, async (tx) => {
          await tx.select().from(accounts);
          throw mistake;
        }),
      );
      expect(failure).toBe(mistake);
    });

    it('rejects without running the statement when the signal already aborted', async () => {
      const db = await setUp();
      let ran = false;
      const failure = await failureOf(
        readStatement(
          db,
          async () => {
            ran = true;
          },
          { signal: AbortSignal.abort('client cancelled') },
        ),
      );
      expect(failure).toBeInstanceOf(TransactionCancelledError);
      expect((failure as TransactionCancelledError).kind).toBe('aborted');
      expect(ran).toBe(false);
    });

    it('ends a statement that outlasts the time budget with kind timeout', async () => {
      const db = await setUp();
      const failure = await failureOf(
        readStatement(db, (tx) => tx.execute(sql`select pg_sleep(0.5)`), { timeoutMs: 150 }),
      );
      expect(failure).toBeInstanceOf(TransactionCancelledError);
      expect((failure as TransactionCancelledError).kind).toBe('timeout');
    });
  });
}
