import { loadBalancingOptions, unaryCall, type ClientChainOptions } from '@platform/grpc';
import { ConfirmOrderRequest, OrderServiceClient } from '@platform/proto';
import { ServiceSignIn } from '@platform/service';
import type { OrderConfirmer } from './confirm-order-handler.js';
import type { FulfillmentWorkerConfig } from './fulfillment-worker.config.js';

/**
 * The worker's client of the order service, signed in as the service principal `AUTH_CLIENT_ID`
 * (the service runtime's sign-in: a refused token is fetched again once). Every call has the
 * `ORDER_SERVICE_TIMEOUT` deadline and the given chain (tracing, metrics, logging, retries), and
 * goes to the order service's addresses in turn (`ORDER_SERVICE_LOAD_BALANCING`).
 */
export function createOrderServiceClient(
  config: FulfillmentWorkerConfig,
  chain: Omit<ClientChainOptions, 'auth' | 'deadline'>,
): OrderConfirmer & { close(): void } {
  const signIn = ServiceSignIn.fromConfig(config, chain);
  const orders = signIn.client(
    OrderServiceClient,
    config.ORDER_SERVICE_ADDRESS,
    config.ORDER_SERVICE_TIMEOUT,
    loadBalancingOptions(config.ORDER_SERVICE_LOAD_BALANCING),
  );
  return {
    confirm: (orderId) =>
      signIn
        .retryRefused(() =>
          unaryCall(orders.confirmOrder.bind(orders), ConfirmOrderRequest.create({ orderId })),
        )
        .then(() => undefined),
    close: () => signIn.close(),
  };
}
