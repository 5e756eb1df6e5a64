// The order service's tables as drizzle sees them; migrations/ is the source of truth for the
// database (constraints, indexes), this file mirrors it for typed queries.
import { bigint, boolean, char, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** An order's status, as stored. */
export type StoredOrderStatus = 'pending' | 'confirmed' | 'cancelled';

/** A line item as stored in `orders.items`: amounts as decimal strings (exact int64). */
export interface StoredLineItem {
  sku: string;
  quantity: number;
  unitPriceMinor: string;
}

const time = (name: string) => timestamp(name, { precision: 3, withTimezone: true, mode: 'date' });

export const orders = pgTable('orders', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id').notNull(),
  requestId: text('request_id').notNull(),
  requestHash: text('request_hash').notNull(),
  items: jsonb('items').$type<StoredLineItem[]>().notNull(),
  currencyCode: char('currency_code', { length: 3 }).notNull(),
  totalMinor: bigint('total_minor', { mode: 'bigint' }).notNull(),
  status: text('status').$type<StoredOrderStatus>().notNull(),
  version: bigint('version', { mode: 'bigint' }).notNull(),
  createTime: time('create_time').notNull(),
  updateTime: time('update_time').notNull(),
  cancelReason: text('cancel_reason').notNull(),
});

/** A stored order. */
export type OrderRow = typeof orders.$inferSelect;

/** Users' standing as the order service knows it (migration 0003). */
export const userStandings = pgTable('user_standings', {
  userId: uuid('user_id').primaryKey(),
  active: boolean('active').notNull(),
  updateTime: time('update_time').notNull(),
});

export const orderSchema = { orders, userStandings };
export type OrderSchema = typeof orderSchema;
