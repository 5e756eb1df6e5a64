// The handler through the real consumer runtime (TEST_KAFKA_BROKERS) and the real client chain:
// the ConfirmOrder it sends carries the event attempt's remaining time as its deadline, as a call
// made from a gRPC handler carries the incoming call's. The order service is a grpc-js server on
// loopback that records the deadline it was given.
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { createKafkaPublisher, ensureTopics, eventRecord, EventConsumer } from '@platform/events';
import { createClient, createClientChain, unaryCall } from '@platform/grpc';
import { createLogger } from '@platform/observability';
import {
  ConfirmOrderRequest,
  ConfirmOrderResponse,
  OrderCreated,
  orderCreated,
  OrderServiceClient,
  OrderServiceService,
  OrderStatus,
  type Order,
} from '@platform/proto';
import { startGrpcServer, testKafkaBrokers, waitFor } from '@platform/testing';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmOrderOnCreated, type OrderConfirmer } from '../src/index.js';

const brokers = testKafkaBrokers();
const logger = createLogger({ name: 'fulfillment-worker-test', level: 'silent' });
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The handler's time budget; the client's own default deadline is far above it. */
const handlerBudgetMs = 5_000;
const clientDefaultDeadlineMs = 120_000;

interface Received {
  orderId: string;
  /** `call.getDeadline()` on the server, epoch ms (Infinity without a deadline). */
  deadline: number;
  /** The server's clock when the call arrived. */
  receivedAt: number;
}

/** A grpc-js order service on loopback answering ConfirmOrder and recording each call's deadline. */
async function recordingOrderService() {
  const received: Received[] = [];
  const server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          confirmOrder(
            call: ServerUnaryCall<ConfirmOrderRequest, ConfirmOrderResponse>,
            callback: sendUnaryData<ConfirmOrderResponse>,
          ) {
            const deadline = call.getDeadline();
            received.push({
              orderId: call.request.orderId,
              deadline: deadline instanceof Date ? deadline.getTime() : Number(deadline),
              receivedAt: Date.now(),
            });
            callback(
              null,
              ConfirmOrderResponse.create({
                order: { id: call.request.orderId, status: OrderStatus.ORDER_STATUS_CONFIRMED } as Order,
              }),
            );
          },
        },
      },
    ],
  });
  cleanups.push(() => server.stop());
  return { server, received };
}

describe('ConfirmOrder sent from the OrderCreated handler', () => {
  it("carries the event attempt's remaining time as its deadline", async () => {
    const { server, received } = await recordingOrderService();
    const client = createClient(OrderServiceClient, server.address, {
      interceptors: createClientChain({
        deadline: { defaultDeadlineMs: clientDefaultDeadlineMs },
        retry: false,
      }),
    });
    cleanups.push(() => client.close());
    // No signal, no deadline passed: what the call gets, it gets from the handler's call scope.
    const orders: OrderConfirmer = {
      confirm: async (orderId) => {
        await unaryCall(client.confirmOrder.bind(client), ConfirmOrderRequest.create({ orderId }));
      },
    };

    const namespace = `t${randomUUID().slice(0, 8)}.`;
    const topic = { ...orderCreated.topic, name: namespace + orderCreated.topic.name, partitions: 1 };
    await ensureTopics({ brokers, clientId: 'test' }, [topic]);
    const consumer = new EventConsumer({
      group: 'fulfillment-worker',
      namespace,
      kafka: { brokers, clientId: 'worker' },
      handlers: [confirmOrderOnCreated(orders, logger)],
      logger,
      handlerTimeoutMs: handlerBudgetMs,
    });
    cleanups.push(() => consumer.stop());
    await consumer.start();

    const orderId = randomUUID();
    const publisher = createKafkaPublisher({ brokers, clientId: 'order-service' });
    cleanups.push(() => publisher.close());
    await publisher.publish([
      eventRecord(orderCreated, OrderCreated.create({ order: { id: orderId } as Order }), {
        subject: orderId,
        source: '/platform/order-service',
        namespace,
      }),
    ]);

    const [call] = await waitFor('ConfirmOrder at the order service', async () =>
      received.length ? received : undefined,
    );
    expect(call?.orderId).toBe(orderId);
    expect(Number.isFinite(call?.deadline)).toBe(true);
    // The attempt began before the call arrived, so its deadline is at most the budget after
    // that; the client's own default would be two minutes after it.
    expect(call?.deadline).toBeLessThanOrEqual((call?.receivedAt ?? 0) + handlerBudgetMs);
    expect(call?.deadline).toBeGreaterThan(call?.receivedAt ?? Number.POSITIVE_INFINITY);
  });
});
