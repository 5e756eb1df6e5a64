import { Order, OrderStatus, toTimestamp } from '@platform/proto';
import type { OrderRow, StoredOrderStatus } from './order-schema.js';

/** The ResourceInfo type of orders in errors. */
export const orderResourceType = 'platform.order.v1.Order';

const statusMessages: Record<StoredOrderStatus, OrderStatus> = {
  pending: OrderStatus.ORDER_STATUS_PENDING,
  confirmed: OrderStatus.ORDER_STATUS_CONFIRMED,
  cancelled: OrderStatus.ORDER_STATUS_CANCELLED,
};

/** The API status of a stored status. */
export function orderStatusMessageOf(status: StoredOrderStatus): OrderStatus {
  return statusMessages[status];
}

/** The stored status of an API status; `undefined` for UNSPECIFIED and unknown values. */
export function storedOrderStatusOf(status: OrderStatus | null | undefined): StoredOrderStatus | undefined {
  const entry = Object.entries(statusMessages).find(([, message]) => message === status);
  return entry?.[0] as StoredOrderStatus | undefined;
}

/** An order as the API shows it (never its request hash). */
export function toOrderMessage(row: OrderRow): Order {
  // create() fills every field the row does not name with its default: a field added to Order
  // needs no change here until the service stores it.
  return Order.create({
    id: row.id,
    userId: row.userId,
    requestId: row.requestId,
    items: row.items,
    currencyCode: row.currencyCode,
    totalMinor: row.totalMinor.toString(),
    status: orderStatusMessageOf(row.status),
    version: row.version.toString(),
    createTime: toTimestamp(row.createTime),
    updateTime: toTimestamp(row.updateTime),
    cancelReason: row.cancelReason,
  });
}
