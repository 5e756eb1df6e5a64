// The worker end to end, every part real and a process of its own (user service, order service
// publishing through its outbox, the worker from its build, the test Kafka broker): OrderCreated
// -> ConfirmOrder as a service principal, one trace, metrics, the cancelled-first race, and a stop
// during the fulfillment wait.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  CancelOrderRequest,
  GetOrderRequest,
  OrderStatus,
  WatchOrderRequest,
  type Order,
  type WatchOrderResponse,
} from '@platform/proto';
import { metricSum, readTopic } from '@platform/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asCaller,
  orderRequest,
  startPlatform,
  type Caller,
  type Platform,
  type WorkerProcess,
} from './__fixtures__/platform.js';

const orderCreatedType = 'platform.order.v1.OrderCreated';

describe('fulfillment-worker with the platform', () => {
  let platform: Platform;
  let worker: WorkerProcess;
  let alice: Caller;

  beforeAll(async () => {
    platform = await startPlatform();
    worker = await platform.startWorker();
    alice = await platform.signUp();
  }, 240_000);
  afterAll(() => platform?.dispose(), 60_000);

  const group = () => `${platform.namespace}fulfillment-worker`;
  const topic = () => `${platform.namespace}order.events.v1`;

  /** Collects a WatchOrder stream. */
  function watch(orderId: string, metadata: Metadata) {
    const stream = platform.orderClient.watchOrder(WatchOrderRequest.create({ orderId }), metadata, {
      deadline: Date.now() + 60_000,
    });
    const messages: WatchOrderResponse[] = [];
    const waiters: { count: number; resolve: () => void }[] = [];
    stream.on('data', (message: WatchOrderResponse) => {
      messages.push(message);
      for (const waiter of waiters.filter((candidate) => messages.length >= candidate.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
    const ended = new Promise<GrpcStatus>((resolve) => {
      stream.on('error', (error: ServiceError) => resolve(error.code));
      stream.on('status', (status: { code: GrpcStatus }) => resolve(status.code));
    });
    return {
      messages,
      ended,
      received: (count: number) =>
        new Promise<void>((resolve) => {
          if (messages.length >= count) resolve();
          else waiters.push({ count, resolve });
        }),
    };
  }

  it(
    'confirms a new order: its WatchOrder stream shows PENDING then CONFIRMED, all in the trace of CreateOrder',
    { timeout: 90_000 },
    async () => {
      const traceId = randomBytes(16).toString('hex');
      const metadata = asCaller(alice).metadata;
      metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
      // The worker is paused while the order is created and the stream opened, so the stream
      // sees the order PENDING first whatever the timing; then the worker catches up.
      worker.process.child.kill('SIGSTOP');
      let order: Order;
      let stream: ReturnType<typeof watch>;
      try {
        order = (await platform.orders.createOrder(orderRequest(), { metadata })).order as Order;
        stream = watch(order.id, asCaller(alice).metadata);
        await stream.received(1);
      } finally {
        worker.process.child.kill('SIGCONT');
      }
      expect(stream.messages[0]?.order?.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
      await stream.received(2);
      expect(stream.messages[1]?.order?.status).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
      expect(await stream.ended).toBe(GrpcStatus.OK);
      expect(stream.messages).toHaveLength(2);

      // One trace: CreateOrder -> outbox -> Kafka -> the worker's consumer span -> ConfirmOrder.
      const confirmed = await worker.process.logged(
        (entry) => entry.msg === 'order confirmed' && entry['orderId'] === order.id,
      );
      expect(confirmed['trace_id']).toBe(traceId);
      const served = await platform.orderService.logged(
        (entry) => entry['grpc.method'] === 'ConfirmOrder' && entry['trace_id'] === traceId,
      );
      expect(served).toMatchObject({ 'grpc.component': 'server', 'grpc.code': 'OK' });
    },
  );

  it('serves its consumer and client metrics on WORKER_METRICS_PORT', { timeout: 60_000 }, async () => {
    const order = (await platform.orders.createOrder(orderRequest(), asCaller(alice))).order as Order;
    await expect
      .poll(
        async () =>
          (await platform.orders.getOrder(GetOrderRequest.create({ orderId: order.id }), asCaller(alice)))
            .order?.status,
        {
          timeout: 30_000,
          interval: 100,
        },
      )
      .toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
    const text = await worker.metrics();
    expect(
      metricSum(text, 'events_processed_total', {
        service: 'fulfillment-worker',
        group: group(),
        topic: topic(),
        type: orderCreatedType,
        outcome: 'handled',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      metricSum(text, 'grpc_client_handled_total', { grpc_method: 'ConfirmOrder', grpc_code: 'OK' }),
    ).toBeGreaterThanOrEqual(2);
    expect(metricSum(text, 'events_dead_lettered_total', { group: group() })).toBe(0);
    expect(text).toContain('events_handler_seconds_bucket');
  });

  it(
    'leaves an order cancelled before the worker saw its OrderCreated cancelled, and dead-letters nothing',
    { timeout: 120_000 },
    async () => {
      expect(await worker.process.stop()).toEqual({ code: 0, signal: null });
      const order = (await platform.orders.createOrder(orderRequest(), asCaller(alice))).order as Order;
      await platform.orders.cancelOrder(
        CancelOrderRequest.create({ orderId: order.id, reason: 'changed my mind' }),
        asCaller(alice),
      );

      worker = await platform.startWorker();
      await worker.process.logged(
        (entry) =>
          entry.msg === 'order was cancelled before fulfillment: nothing to confirm' &&
          entry['orderId'] === order.id,
        60_000,
      );
      const now = (
        await platform.orders.getOrder(GetOrderRequest.create({ orderId: order.id }), asCaller(alice))
      ).order;
      expect(now?.status).toBe(OrderStatus.ORDER_STATUS_CANCELLED);

      const dlt = await readTopic(platform.brokers, `${topic()}.${group()}.dlt`);
      expect(dlt).toEqual([]);
      const retried = await readTopic(platform.brokers, `${topic()}.${group()}.retry`);
      expect(retried.filter((record) => record.key?.toString() === order.id)).toEqual([]);
      const text = await worker.metrics();
      expect(metricSum(text, 'events_dead_lettered_total', { group: group() })).toBe(0);
      expect(
        metricSum(text, 'events_processed_total', {
          group: group(),
          type: orderCreatedType,
          outcome: 'handled',
        }),
      ).toBeGreaterThanOrEqual(1);
    },
  );

  it(
    'ends its fulfillment wait at once on SIGTERM, confirming nothing, and the event is delivered again',
    { timeout: 180_000 },
    async () => {
      expect(await worker.process.stop()).toEqual({ code: 0, signal: null });
      // A wait longer than the drain bound: a stop that waited for it would be forced (and say so).
      worker = await platform.startWorker({ FULFILLMENT_DURATION: '15s', SHUTDOWN_DRAIN_TIMEOUT: '10s' });
      const order = (await platform.orders.createOrder(orderRequest(), asCaller(alice))).order as Order;
      const waiting = await worker.process.logged(
        (entry) => entry.msg === 'fulfilling order' && entry['orderId'] === order.id,
        60_000,
      );
      expect(waiting['fulfillmentMs']).toBe(15_000);
      const stopping = worker.process;
      expect(await stopping.stop()).toEqual({ code: 0, signal: null });
      expect(stopping.logs.map((entry) => entry.msg)).not.toContain(
        'consumers did not stop within SHUTDOWN_DRAIN_TIMEOUT',
      );
      expect(
        stopping.logs.filter(
          (entry) =>
            entry.msg === 'consumer stopping: event left for redelivery' &&
            entry['eventId'] === waiting['eventId'],
        ),
      ).toHaveLength(1);
      expect(
        stopping.logs.some((entry) => entry.msg === 'order confirmed' && entry['orderId'] === order.id),
      ).toBe(false);
      const pending = (
        await platform.orders.getOrder(GetOrderRequest.create({ orderId: order.id }), asCaller(alice))
      ).order;
      expect(pending?.status).toBe(OrderStatus.ORDER_STATUS_PENDING);

      // The next worker of the group gets the same event (its offset was not committed).
      worker = await platform.startWorker();
      const confirmed = await worker.process.logged(
        (entry) => entry.msg === 'order confirmed' && entry['orderId'] === order.id,
        60_000,
      );
      expect(confirmed['eventId']).toBe(waiting['eventId']);
      const now = (
        await platform.orders.getOrder(GetOrderRequest.create({ orderId: order.id }), asCaller(alice))
      ).order;
      expect([now?.status, now?.version]).toEqual([OrderStatus.ORDER_STATUS_CONFIRMED, '2']);
    },
  );
});
