// apps/order-service as a library: what tests and the dev runner start in-process.
export {
  startOrderService,
  type RunningOrderService,
  type StartOrderServiceOptions,
} from './start-order-service.js';
export { orderServiceConfig, type OrderServiceConfig } from './order-service.config.js';
export type { OrderDatabaseLocation } from './open-order-database.js';
