import { sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import type { Database } from '../database.js';
import type { DatabaseTarget, OpenedDatabase, TargetOptions } from '../testing/index.js';

/** Two accounts, a and b, with 100 each: the state the transaction specs move around. */
export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  balance: integer('balance').notNull(),
});

/** Opens a fresh database of `target` holding the two accounts. */
export async function openWithAccounts(
  target: DatabaseTarget,
  options: TargetOptions = {},
): Promise<OpenedDatabase> {
  const opened = await target.open(options);
  await opened.db.execute(sql`create table accounts (id text primary key, balance integer not null)`);
  await opened.db.insert(accounts).values([
    { id: 'a', balance: 100 },
    { id: 'b', balance: 100 },
  ]);
  return opened;
}

export async function balances(db: Database): Promise<Record<string, number>> {
  const rows = await db.select().from(accounts).orderBy(accounts.id);
  return Object.fromEntries(rows.map((row) => [row.id, row.balance]));
}

/** The rejection of `promise`; fails when it resolves. */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
