import { preparedQuery, type Transaction } from '@platform/db';
import { and, asc, desc, eq, getTableColumns, lt, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import { orders, type OrderRow, type OrderSchema, type StoredOrderStatus } from './order-schema.js';

/** Where a page of orders starts: after this order, newest first by (create_time, id). */
export interface OrderCursor {
  readonly createTime: number;
  readonly id: string;
}

/** What a list is limited to. */
export interface OrderFilter {
  readonly userId?: string | undefined;
  readonly status?: StoredOrderStatus | undefined;
}

/**
 * The channel committed order changes are announced on (payload: the order id), by the orders
 * table's trigger (migration 0002) on every insert and update.
 */
export const orderChangesChannel = 'order_changes';

// The queries of every CreateOrder and GetOrder, built once (see preparedQuery).
const orderValues = Object.fromEntries(
  Object.keys(getTableColumns(orders)).map((key) => [key, sql.placeholder(key)]),
) as Record<keyof OrderRow, Placeholder>;
const insertIfAbsent = preparedQuery('order_insert_if_absent', (tx: Transaction<OrderSchema>) =>
  tx
    .insert(orders)
    .values(orderValues)
    .onConflictDoNothing({ target: [orders.userId, orders.requestId] })
    .returning(),
);
const byRequest = preparedQuery('order_by_request', (tx: Transaction<OrderSchema>) =>
  tx
    .select()
    .from(orders)
    .where(
      and(eq(orders.userId, sql.placeholder('userId')), eq(orders.requestId, sql.placeholder('requestId'))),
    ),
);
const byId = preparedQuery('order_by_id', (tx: Transaction<OrderSchema>) =>
  tx
    .select()
    .from(orders)
    .where(eq(orders.id, sql.placeholder('id'))),
);
const byIdForUpdate = preparedQuery('order_by_id_for_update', (tx: Transaction<OrderSchema>) =>
  tx
    .select()
    .from(orders)
    .where(eq(orders.id, sql.placeholder('id')))
    .for('update'),
);

/** The order service's queries. Each runs in the caller's transaction. */
export const orderRepository = {
  /** Inserts the order unless its owner already has one with this request id; `undefined` then. */
  async insertIfAbsent(tx: Transaction<OrderSchema>, row: OrderRow): Promise<OrderRow | undefined> {
    const [inserted] = await insertIfAbsent(tx, row);
    return inserted;
  },

  async findByRequest(
    tx: Transaction<OrderSchema>,
    userId: string,
    requestId: string,
  ): Promise<OrderRow | undefined> {
    const [row] = await byRequest(tx, { userId, requestId });
    return row;
  },

  /** The order, locked against concurrent changes until the transaction ends when `forUpdate`. */
  async findById(tx: Transaction<OrderSchema>, id: string, forUpdate = false): Promise<OrderRow | undefined> {
    const [row] = await (forUpdate ? byIdForUpdate : byId)(tx, { id });
    return row;
  },

  /** Up to `limit` orders matching `filter` after `cursor`, newest first (as the contract says). */
  async list(
    tx: Transaction<OrderSchema>,
    filter: OrderFilter,
    cursor: OrderCursor | undefined,
    limit: number,
  ): Promise<OrderRow[]> {
    const conditions: (SQL | undefined)[] = [
      filter.userId ? eq(orders.userId, filter.userId) : undefined,
      filter.status ? eq(orders.status, filter.status) : undefined,
      cursor
        ? or(
            lt(orders.createTime, new Date(cursor.createTime)),
            and(eq(orders.createTime, new Date(cursor.createTime)), lt(orders.id, cursor.id)),
          )
        : undefined,
    ];
    return tx
      .select()
      .from(orders)
      .where(and(...conditions))
      .orderBy(desc(orders.createTime), desc(orders.id))
      .limit(limit);
  },

  /** Moves an order (locked by `findById(…, true)`) to `status`, one version up. */
  async transition(
    tx: Transaction<OrderSchema>,
    id: string,
    status: StoredOrderStatus,
    changes: { updateTime: Date; cancelReason?: string },
  ): Promise<OrderRow> {
    const [row] = await tx
      .update(orders)
      .set({ status, version: sql`${orders.version} + 1`, ...changes })
      .where(eq(orders.id, id))
      .returning();
    if (!row) throw new Error(`order ${id} vanished while locked`);
    return row;
  },

  /** Ids of the user's PENDING orders, locked against concurrent changes until the transaction ends. */
  async pendingOf(tx: Transaction<OrderSchema>, userId: string): Promise<string[]> {
    const rows = await tx
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.userId, userId), eq(orders.status, 'pending')))
      .orderBy(asc(orders.createTime), asc(orders.id))
      .for('update');
    return rows.map((row) => row.id);
  },
};
