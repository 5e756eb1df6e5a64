// apps/fulfillment-worker as a library: what tests and the dev runner start in-process.
export type { StartServiceOptions as StartFulfillmentWorkerOptions } from '@platform/service';
export {
  fulfillmentWorker,
  startFulfillmentWorker,
  type RunningFulfillmentWorker,
} from './fulfillment-worker.js';
export { fulfillmentWorkerConfig, type FulfillmentWorkerConfig } from './fulfillment-worker.config.js';
export {
  classifyConfirmFailure,
  confirmOrderOnCreated,
  fulfillmentGroup,
  type ConfirmFailure,
  type ConfirmOrderOptions,
  type OrderConfirmer,
} from './confirm-order-handler.js';
