import type { DatabaseSchema, Transaction } from '@platform/db';
import { on, type AnyHandlerBinding } from '@platform/events';
import { fromTimestamp, orderCancelled, orderConfirmed, orderCreated, type Order } from '@platform/proto';
import { sql } from 'drizzle-orm';

/** The user service's consumer group of order events. */
export const orderStatsGroup = 'user-service.order-stats';

type Counter = 'order_count' | 'confirmed_count' | 'cancelled_count';

/** Adds one to a counter of the order's owner (and, for a new order, its time). */
async function bump(tx: Transaction<DatabaseSchema>, order: Order, counter: Counter): Promise<void> {
  const created = order.createTime ? fromTimestamp(order.createTime) : null;
  const lastOrderTime = counter === 'order_count' ? created : null;
  await tx.execute(sql`
    insert into user_order_stats (user_id, ${sql.raw(counter)}, last_order_time)
    values (${order.userId}, 1, ${lastOrderTime})
    on conflict (user_id) do update set
      ${sql.raw(counter)} = user_order_stats.${sql.raw(counter)} + 1,
      last_order_time = greatest(user_order_stats.last_order_time, excluded.last_order_time)`);
}

/** Adds `sign` times the order's total to its owner's lifetime total in its currency (exact int64). */
async function addTotal(tx: Transaction<DatabaseSchema>, order: Order, sign: 1 | -1): Promise<void> {
  const amount = BigInt(order.totalMinor) * BigInt(sign);
  await tx.execute(sql`
    insert into user_order_totals (user_id, currency_code, lifetime_total_minor)
    values (${order.userId}, ${order.currencyCode}, ${amount.toString()}::bigint)
    on conflict (user_id, currency_code) do update set
      lifetime_total_minor = user_order_totals.lifetime_total_minor + excluded.lifetime_total_minor`);
}

function orderOf(event: { order?: Order | null }, type: string): Order {
  if (!event.order) throw new Error(`${type} without its order`);
  return event.order;
}

function transactionOf(tx: Transaction<DatabaseSchema> | undefined): Transaction<DatabaseSchema> {
  if (!tx) throw new Error('the order-stats projection needs the inbox transaction');
  return tx;
}

/**
 * The per-user order statistics GetUserOrderStats serves, projected from order events in the
 * transaction that records each event in the inbox (so each applies once). Every update is an
 * increment, so the figures come out right whatever order events arrive in (an event back from
 * the retry topic may overtake a later one): created +1 and +total, confirmed +1, cancelled +1
 * and -total (the lifetime total counts non-cancelled orders).
 */
export function orderStatsProjection(): AnyHandlerBinding[] {
  return [
    on(orderCreated, async (event, context) => {
      const tx = transactionOf(context.tx);
      const order = orderOf(event, 'OrderCreated');
      await bump(tx, order, 'order_count');
      await addTotal(tx, order, 1);
    }),
    on(orderConfirmed, async (event, context) => {
      await bump(transactionOf(context.tx), orderOf(event, 'OrderConfirmed'), 'confirmed_count');
    }),
    on(orderCancelled, async (event, context) => {
      const tx = transactionOf(context.tx);
      const order = orderOf(event, 'OrderCancelled');
      await bump(tx, order, 'cancelled_count');
      await addTotal(tx, order, -1);
    }),
  ];
}
