import {
  startService,
  type RunningWorker,
  type StartServiceOptions,
  type WorkerDefinition,
} from '@platform/service';
import { confirmOrderOnCreated, fulfillmentGroup } from './confirm-order-handler.js';
import type { FulfillmentWorkerConfig } from './fulfillment-worker.config.js';
import { createOrderServiceClient } from './order-service-client.js';

/** A started worker: `stop()` is `forced` when the consumers did not stop within SHUTDOWN_DRAIN_TIMEOUT. */
export type RunningFulfillmentWorker = RunningWorker<object>;

/**
 * The worker's own parts on the service runtime: the order-service client (as the
 * `AUTH_CLIENT_ID` service principal, full client chain) and the `fulfillment-worker` consumer
 * group, which confirms every OrderCreated with OrderService.ConfirmOrder.
 */
export const fulfillmentWorker: WorkerDefinition<FulfillmentWorkerConfig, object> = {
  name: 'fulfillment-worker',
  async wire({ config, logger, registry, closers, clientChain }) {
    const orders = createOrderServiceClient(config, { ...clientChain, retry: { registry } });
    closers.add(() => orders.close());
    const fulfillmentMs = config.FULFILLMENT_DURATION;
    return {
      own: {},
      consumers: [
        { group: fulfillmentGroup, handlers: [confirmOrderOnCreated(orders, logger, { fulfillmentMs })] },
      ],
      metrics: { host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT },
      ready: { group: fulfillmentGroup, orderService: config.ORDER_SERVICE_ADDRESS, fulfillmentMs },
    };
  },
};

/** Starts the worker (tests and the dev runner start it in-process). */
export function startFulfillmentWorker(
  config: FulfillmentWorkerConfig,
  options: StartServiceOptions,
): Promise<RunningFulfillmentWorker> {
  return startService(fulfillmentWorker, config, options);
}
