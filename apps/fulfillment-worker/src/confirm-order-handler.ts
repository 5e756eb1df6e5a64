import { status as GrpcStatus } from '@grpc/grpc-js';
import { on, PermanentEventError, type HandlerBinding } from '@platform/events';
import { ClientError } from '@platform/grpc';
import type { Logger } from '@platform/observability';
import { orderCreated, OrderStatus, orderStatusToJSON, type OrderCreated } from '@platform/proto';
import { setTimeout as delay } from 'node:timers/promises';

/** The worker's consumer group (namespaced by KAFKA_NAMESPACE). */
export const fulfillmentGroup = 'fulfillment-worker';

/**
 * The worker's port to the order service: confirms one order. Rejects with the call's
 * {@link ClientError} (its code and google.rpc details); an UNAUTHENTICATED answer comes only
 * after the token was fetched again (see `createOrderServiceClient`). The call's deadline and
 * cancellation come from the event attempt's call scope, as they would in a gRPC handler.
 */
export interface OrderConfirmer {
  confirm(orderId: string): Promise<void>;
}

/** What a failed ConfirmOrder means for the event. */
export type ConfirmFailure =
  /** The order was cancelled first: nothing to confirm, the event is done. */
  | 'order-cancelled'
  /** Retrying the same call cannot succeed: dead-letter it. */
  | 'permanent'
  /** Not processed, or not known to be: retry (in process, then through the retry topic). */
  | 'transient';

/** Codes whose answer a retry would repeat: the request, the order or our identity is at fault. */
const permanentCodes: ReadonlySet<GrpcStatus> = new Set([
  GrpcStatus.NOT_FOUND,
  GrpcStatus.INVALID_ARGUMENT,
  GrpcStatus.PERMISSION_DENIED,
  GrpcStatus.UNAUTHENTICATED,
  GrpcStatus.FAILED_PRECONDITION,
  GrpcStatus.OUT_OF_RANGE,
]);

/**
 * Classifies a ConfirmOrder failure. FAILED_PRECONDITION `ORDER_STATE_CONFLICT` on a cancelled
 * order (ErrorInfo `status` ORDER_STATUS_CANCELLED) is the expected race (cancelled before the worker got to it); NOT_FOUND,
 * INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED (after a token refresh), any other
 * FAILED_PRECONDITION and OUT_OF_RANGE are permanent; everything else (UNAVAILABLE,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN, CANCELLED, errors without a gRPC code)
 * is transient.
 */
export function classifyConfirmFailure(error: unknown): ConfirmFailure {
  const failure = ClientError.from(error);
  if (
    failure.code === GrpcStatus.FAILED_PRECONDITION &&
    failure.reason === 'ORDER_STATE_CONFLICT' &&
    failure.statusDetails.errorInfo?.metadata['status'] ===
      orderStatusToJSON(OrderStatus.ORDER_STATUS_CANCELLED)
  ) {
    return 'order-cancelled';
  }
  return permanentCodes.has(failure.code) ? 'permanent' : 'transient';
}

/** Options of {@link confirmOrderOnCreated}. */
export interface ConfirmOrderOptions {
  /** Fulfillment time before ConfirmOrder (`FULFILLMENT_DURATION`), in ms. Defaults to 0. */
  fulfillmentMs?: number;
}

/**
 * The worker's reaction to OrderCreated: fulfil (wait `fulfillmentMs`, on the first attempt of a
 * delivery), then ConfirmOrder as the worker's service principal. ConfirmOrder is idempotent
 * (confirming a CONFIRMED order succeeds and changes nothing), so a redelivered event confirms
 * nothing twice and no inbox is needed. A stop during the wait ends it at once: the handler gives
 * up and the runtime leaves the event to be delivered again. ConfirmOrder goes out in the
 * attempt's call scope: its deadline is at most what is left of the attempt's budget
 * (`EVENTS_HANDLER_TIMEOUT`), and it is cancelled when the attempt's scope ends.
 */
export function confirmOrderOnCreated(
  orders: OrderConfirmer,
  logger: Logger,
  options: ConfirmOrderOptions = {},
): HandlerBinding<OrderCreated> {
  const fulfillmentMs = options.fulfillmentMs ?? 0;
  return on(orderCreated, async (event, context) => {
    const orderId = event.order?.id;
    const fields = { eventId: context.envelope.id, orderId, attempt: context.attempt };
    if (!orderId) throw new PermanentEventError('OrderCreated carries no order id');
    if (fulfillmentMs > 0 && context.attempt === 1) {
      logger.info({ ...fields, fulfillmentMs }, 'fulfilling order');
      await delay(fulfillmentMs, undefined, { signal: context.stopping }).catch(() => {
        throw context.stopping.reason;
      });
    }
    try {
      await orders.confirm(orderId);
    } catch (error) {
      switch (classifyConfirmFailure(error)) {
        case 'order-cancelled':
          logger.info(fields, 'order was cancelled before fulfillment: nothing to confirm');
          return;
        case 'permanent':
          throw new PermanentEventError(`ConfirmOrder failed for good: ${(error as Error).message}`, {
            cause: error,
          });
        case 'transient':
          throw error;
      }
    }
    logger.info(fields, 'order confirmed');
  });
}
