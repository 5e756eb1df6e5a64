// Public API of @platform/order-domain: the order service's logic, wired by apps/order-service.
export {
  OrderChangeFeed,
  type ChangeSource,
  type OrderChangeFeedOptions,
  type OrderListener,
} from './feed/order-change-feed.js';
export {
  cancelOrdersOfDeactivatedUsers,
  userDeactivationsGroup,
} from './events/cancel-orders-of-deactivated-users.js';
export { orderAccess } from './orders/order-access.js';
export { OrderBook, type CreateOutcome, type OrderBookOptions } from './orders/order-book.js';
export {
  orderResourceType,
  orderStatusMessageOf,
  storedOrderStatusOf,
  toOrderMessage,
} from './orders/order-message.js';
export { migrateOrderDatabase, orderMigrationsDir } from './orders/order-migrations.js';
export { orderChangesChannel, type OrderCursor, type OrderFilter } from './orders/order-repository.js';
export {
  checkCreateOrder,
  isUuid,
  maxAmountMinor,
  orderFieldLimits,
  orderLimitDefaults,
  orderRequestValidators,
  type OrderLimits,
} from './orders/order-request-validators.js';
export {
  orderSchema,
  type OrderRow,
  type OrderSchema,
  type StoredLineItem,
  type StoredOrderStatus,
} from './orders/order-schema.js';
export { isFinalStatus, orderTransitions, transitionOf } from './orders/order-status.js';
export type { UserDirectory, UserStanding } from './orders/user-directory.js';
export { importOrders, type ImportOrdersOptions, type PausableCall } from './streams/import-orders.js';
export { LatestByKey, type StreamSink } from './streams/latest-by-key.js';
export { orderErrorDomain, toItemError } from './streams/to-item-error.js';
export { trackOrders, type BidiCall, type TrackOrdersOptions } from './streams/track-orders.js';
export { watchOrder } from './streams/watch-order.js';
