import { eq, sql } from 'drizzle-orm';
import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accounts, balances, failureOf, openWithAccounts } from '../__fixtures__/accounts.js';
import { databaseTargets, preparePglite, type OpenedDatabase } from '../testing/index.js';
import type { Transaction } from '../database.js';
import { TransactionCancelledError } from '../transaction/transaction-cancelled-error.js';
import { withTransaction } from '../transaction/with-transaction.js';
import { preparedQuery } from './prepared-query.js';

beforeAll(() => preparePglite());

const notes = pgTable('notes', {
  id: text('id').primaryKey(),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  tags: jsonb('tags').$type<string[]>().notNull(),
});

// Defined once, as a service's repository does, and shared by every target and test below.
const balanceOf = preparedQuery('spec_balance_of', (tx: Transaction) =>
  tx
    .select()
    .from(accounts)
    .where(eq(accounts.id, sql.placeholder('id'))),
);
const insertNote = preparedQuery('spec_insert_note', (tx: Transaction) =>
  tx
    .insert(notes)
    .values({ id: sql.placeholder('id'), at: sql.placeholder('at'), tags: sql.placeholder('tags') })
    .returning(),
);

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`preparedQuery on ${target.name}`, () => {
    let opened: OpenedDatabase | undefined;

    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
    });

    async function setUp() {
      opened = await openWithAccounts(target);
      await opened.db.execute(
        sql`create table notes (id text primary key, at timestamptz not null, tags jsonb not null)`,
      );
      return opened.db;
    }

    it('runs in the transaction: it sees its own uncommitted write, which a rollback drops', async () => {
      const db = await setUp();
      const seen = await failureOf(
        withTransaction(db, async (tx) => {
          await tx.update(accounts).set({ balance: 7 }).where(eq(accounts.id, 'a'));
          throw await balanceOf(tx, { id: 'a' });
        }),
      );
      expect(seen).toEqual([{ id: 'a', balance: 7 }]);
      expect(await balances(db)).toEqual({ a: 100, b: 100 });
    });

    it('encodes placeholder values and maps returned rows as drizzle does (timestamps, jsonb)', async () => {
      const db = await setUp();
      const at = new Date('2026-12-07T10:00:00.123Z');
      const [row] = await withTransaction(db, (tx) => insertNote(tx, { id: 'n1', at, tags: ['x', 'y'] }));
      expect(row).toEqual({ id: 'n1', at, tags: ['x', 'y'] });
      const stored = await db.execute<{ at: string; tags: string[] }>(sql`select at::text, tags from notes`);
      expect(stored.rows[0]?.tags).toEqual(['x', 'y']);
      expect(new Date(String(stored.rows[0]?.at)).getTime()).toBe(at.getTime());
    });

    it('runs again and again, in transactions of their own, each with its own values', async () => {
      const db = await setUp();
      await db.update(accounts).set({ balance: 60 }).where(eq(accounts.id, 'b'));
      for (let round = 0; round < 3; round++) {
        const [a, b] = await Promise.all([
          withTransaction(db, (tx) => balanceOf(tx, { id: 'a' }), { readOnly: true }),
          withTransaction(db, (tx) => balanceOf(tx, { id: 'b' }), { readOnly: true }),
        ]);
        expect([a, b]).toEqual([[{ id: 'a', balance: 100 }], [{ id: 'b', balance: 60 }]]);
      }
    });

    it('rejects naming a placeholder it has no value for, and the transaction is rolled back', async () => {
      const db = await setUp();
      const error = await failureOf(
        withTransaction(db, async (tx) => {
          await tx.update(accounts).set({ balance: 1 }).where(eq(accounts.id, 'a'));
          return balanceOf(tx, {});
        }),
      );
      expect((error as Error).message).toMatch(/No value for placeholder "id"/);
      expect(await balances(db)).toEqual({ a: 100, b: 100 });
    });

    it('goes through the statement guard: once the transaction is cancelled it does not run', async () => {
      const db = await setUp();
      const controller = new AbortController();
      const error = await failureOf(
        withTransaction(
          db,
          async (tx) => {
            controller.abort();
            return insertNote(tx, { id: 'late', at: new Date(), tags: [] });
          },
          { signal: controller.signal },
        ),
      );
      expect(error).toBeInstanceOf(TransactionCancelledError);
      expect((await db.execute(sql`select id from notes`)).rows).toEqual([]);
    });

    it.skipIf(target.name !== 'postgres')('is a named prepared statement of the connection', async () => {
      const db = await setUp();
      const prepared = await withTransaction(db, async (tx) => {
        await balanceOf(tx, { id: 'a' });
        return tx.execute<{ name: string }>(
          sql`select name from pg_prepared_statements where name = 'spec_balance_of'`,
        );
      });
      expect(prepared.rows).toEqual([{ name: 'spec_balance_of' }]);
    });
  });
}

describe('preparedQuery names', () => {
  it('refuses a name already taken in the process: two statements of one name would clash', () => {
    expect(() => preparedQuery('spec_balance_of', (tx: Transaction) => tx.select().from(accounts))).toThrow(
      /spec_balance_of is already taken/,
    );
  });
});
