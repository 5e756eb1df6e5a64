// apps/order-service as a library: what tests and the dev runner start in-process.
export type {
  DatabaseLocation as OrderDatabaseLocation,
  StartServiceOptions as StartOrderServiceOptions,
} from '@platform/service';
export { orderService, startOrderService, type RunningOrderService } from './order-service.js';
export { orderServiceConfig, type OrderServiceConfig } from './order-service.config.js';
