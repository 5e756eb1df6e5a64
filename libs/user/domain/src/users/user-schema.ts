// The user service's tables as drizzle sees them; migrations/ is the source of truth for the
// database (constraints, indexes), this file mirrors it for typed queries.
import { bigint, char, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** An account's role, as stored (and as it appears in access tokens). */
export type AccountRole = 'user' | 'admin';

/** An account's status, as stored. */
export type AccountStatus = 'active' | 'deactivated';

const time = (name: string) => timestamp(name, { precision: 3, withTimezone: true, mode: 'date' });

export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  email: text('email').notNull(),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: text('role').$type<AccountRole>().notNull(),
  status: text('status').$type<AccountStatus>().notNull(),
  createTime: time('create_time').notNull(),
  updateTime: time('update_time').notNull(),
  deactivateTime: time('deactivate_time'),
  deactivateReason: text('deactivate_reason'),
});

export const userOrderStats = pgTable('user_order_stats', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id),
  orderCount: bigint('order_count', { mode: 'bigint' }).notNull().default(0n),
  confirmedCount: bigint('confirmed_count', { mode: 'bigint' }).notNull().default(0n),
  cancelledCount: bigint('cancelled_count', { mode: 'bigint' }).notNull().default(0n),
  lastOrderTime: time('last_order_time'),
});

export const userOrderTotals = pgTable(
  'user_order_totals',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    currencyCode: char('currency_code', { length: 3 }).notNull(),
    lifetimeTotalMinor: bigint('lifetime_total_minor', { mode: 'bigint' }).notNull().default(0n),
  },
  (table) => [primaryKey({ columns: [table.userId, table.currencyCode] })],
);

/** A stored account. */
export type UserRow = typeof users.$inferSelect;

export const userSchema = { users, userOrderStats, userOrderTotals };
export type UserSchema = typeof userSchema;
