// The three streaming kinds through real gRPC: WatchOrder (server), ImportOrders (client),
// TrackOrders (bidi), fed by committed changes; cancellation and deadlines end them and leave
// no listener behind.
import { Metadata, status as GrpcStatus, type ClientDuplexStream } from '@grpc/grpc-js';
import { databaseTargets, pgliteTarget } from '@platform/db/testing';
import {
  ImportOutcome,
  OrderStatus,
  type ImportOrdersResponse,
  type Order,
  type TrackOrdersRequest,
  type TrackOrdersResponse,
  type WatchOrderResponse,
} from '@platform/proto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asCaller, orderRequest } from './__fixtures__/order-stack.js';
import { startOrderStack, type Caller, type OrderStack } from './__fixtures__/start-order-stack.js';
import { readStream } from './__fixtures__/stream-reader.js';

function bearerMetadata(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

function statusOf(response: WatchOrderResponse | TrackOrdersResponse): OrderStatus | undefined {
  return response.order?.status;
}

async function expectNoListeners(stack: OrderStack): Promise<void> {
  await vi.waitFor(() => expect(stack.service.feed.listenerCount).toBe(0), { timeout: 2_000 });
}

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`streams on ${target.name}`, () => {
    let stack: OrderStack;
    let alice: Caller;
    let bob: Caller;
    let service: Caller;

    beforeAll(async () => {
      stack = await startOrderStack(target);
      [alice, bob, service] = await Promise.all([stack.signUp(), stack.signUp(), stack.servicePrincipal()]);
    });
    afterAll(() => stack?.dispose());

    const create = async (caller: Caller) =>
      (await stack.orders.createOrder(orderRequest(), asCaller(caller.token))).order as Order;
    const watch = (caller: Caller, orderId: string, deadlineMs = 10_000) =>
      readStream(
        stack.client.watchOrder({ orderId }, bearerMetadata(caller.token), {
          deadline: Date.now() + deadlineMs,
        }),
      );

    describe('WatchOrder', () => {
      it('sends the current state, then the committed change, then ends at the final state', async () => {
        const order = await create(alice);
        const stream = watch(alice, order.id);
        await stream.received(1);
        await stack.orders.confirmOrder({ orderId: order.id }, asCaller(service.token));
        const ended = await stream.ended;
        expect(ended.code).toBe(GrpcStatus.OK);
        expect(stream.messages.map(statusOf)).toEqual([
          OrderStatus.ORDER_STATUS_PENDING,
          OrderStatus.ORDER_STATUS_CONFIRMED,
        ]);
        expect(stream.messages.map((message) => message.order?.version)).toEqual(['1', '2']);
        await expectNoListeners(stack);
      });

      it("answers NOT_FOUND for another user's order and sends nothing", async () => {
        const order = await create(alice);
        const stream = watch(bob, order.id);
        expect((await stream.ended).code).toBe(GrpcStatus.NOT_FOUND);
        expect(stream.messages).toEqual([]);
        await expectNoListeners(stack);
      });

      it('stops when the client cancels, and when the deadline passes', async () => {
        const order = await create(alice);
        const call = stack.client.watchOrder({ orderId: order.id }, bearerMetadata(alice.token));
        const cancelled = readStream(call);
        await cancelled.received(1);
        call.cancel();
        expect((await cancelled.ended).code).toBe(GrpcStatus.CANCELLED);
        await expectNoListeners(stack);

        const timed = watch(alice, order.id, 300);
        await timed.received(1);
        expect((await timed.ended).code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
        await expectNoListeners(stack);
      });
    });

    describe('TrackOrders', () => {
      it('follows subscribed orders, answers per item for others, and ends cleanly on half-close', async () => {
        const mine = await create(alice);
        const second = await create(alice);
        const bobs = await create(bob);
        const call: ClientDuplexStream<TrackOrdersRequest, TrackOrdersResponse> = stack.client.trackOrders(
          bearerMetadata(alice.token),
          { deadline: Date.now() + 10_000 },
        );
        const stream = readStream(call);
        call.write({ subscribeOrderId: mine.id });
        call.write({ subscribeOrderId: bobs.id });
        call.write({ subscribeOrderId: 'not-an-id' });
        await stream.received(3);
        const byOrder = (orderId: string) => stream.messages.filter((message) => message.orderId === orderId);
        expect(byOrder(mine.id).map(statusOf)).toEqual([OrderStatus.ORDER_STATUS_PENDING]);
        expect(byOrder(bobs.id)).toEqual([
          expect.objectContaining({
            error: expect.objectContaining({ code: 'NOT_FOUND', message: `Order ${bobs.id} not found` }),
          }),
        ]);
        expect(byOrder('not-an-id')[0]?.error).toMatchObject({
          code: 'INVALID_ARGUMENT',
          badRequest: { fieldViolations: [expect.objectContaining({ field: 'subscribe_order_id' })] },
        });

        // The stream stays open: a change arrives, then a later subscription.
        await stack.orders.confirmOrder({ orderId: mine.id }, asCaller(service.token));
        await stream.received(4);
        expect(byOrder(mine.id).map(statusOf)).toEqual([
          OrderStatus.ORDER_STATUS_PENDING,
          OrderStatus.ORDER_STATUS_CONFIRMED,
        ]);
        call.write({ subscribeOrderId: second.id });
        await stream.received(5);
        call.write({ unsubscribeOrderId: second.id });
        await vi.waitFor(() => expect(stack.service.feed.listenerCount).toBe(1));
        await stack.orders.cancelOrder({ orderId: second.id, reason: '' }, asCaller(alice.token));

        call.end();
        expect((await stream.ended).code).toBe(GrpcStatus.OK);
        // Unsubscribed before the cancel: its change never came.
        expect(byOrder(second.id).map(statusOf)).toEqual([OrderStatus.ORDER_STATUS_PENDING]);
        await expectNoListeners(stack);
      });

      it('stops and removes every listener on cancel and on deadline', async () => {
        const orders = await Promise.all([create(alice), create(alice), create(alice)]);
        for (const deadlineMs of [undefined, 400]) {
          const call = stack.client.trackOrders(
            bearerMetadata(alice.token),
            deadlineMs ? { deadline: Date.now() + deadlineMs } : {},
          );
          const stream = readStream(call);
          for (const order of orders) call.write({ subscribeOrderId: order.id });
          await stream.received(3);
          expect(stack.service.feed.listenerCount).toBe(3);
          if (!deadlineMs) call.cancel();
          expect((await stream.ended).code).toBe(
            deadlineMs ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.CANCELLED,
          );
          await expectNoListeners(stack);
        }
      });
    });

    describe('ImportOrders', () => {
      it('creates good items, reports the bad one and duplicates, and keeps going', async () => {
        const duplicate = orderRequest();
        await stack.orders.createOrder(duplicate, asCaller(alice.token));
        const summary = await new Promise<ImportOrdersResponse>((resolve, reject) => {
          const call = stack.client.importOrders(
            bearerMetadata(alice.token),
            { deadline: Date.now() + 10_000 },
            (error, response) => (error ? reject(error) : resolve(response)),
          );
          call.write({ order: orderRequest() });
          call.write({ order: duplicate });
          call.write({
            order: orderRequest({ items: [{ sku: 'sku-1', quantity: 0, unitPriceMinor: '10' }] }),
          });
          call.write({ order: orderRequest() });
          call.end();
        });
        expect(summary).toMatchObject({ createdCount: 2, duplicateCount: 1, failedCount: 1 });
        expect(summary.results).toEqual([
          expect.objectContaining({ index: 0, outcome: ImportOutcome.IMPORT_OUTCOME_CREATED }),
          expect.objectContaining({
            index: 1,
            outcome: ImportOutcome.IMPORT_OUTCOME_DUPLICATE,
            requestId: duplicate.requestId,
          }),
          expect.objectContaining({
            index: 2,
            outcome: ImportOutcome.IMPORT_OUTCOME_FAILED,
            error: expect.objectContaining({
              code: 'INVALID_ARGUMENT',
              badRequest: { fieldViolations: [expect.objectContaining({ field: 'items[0].quantity' })] },
            }),
          }),
          expect.objectContaining({ index: 3, outcome: ImportOutcome.IMPORT_OUTCOME_CREATED }),
        ]);
        // A created item names its order.
        const created = await stack.orders.getOrder(
          { orderId: summary.results[0]?.orderId ?? '' },
          asCaller(alice.token),
        );
        expect(created.order?.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
      });
    });
  });
}

describe('streams under load', () => {
  let stack: OrderStack;
  let service: Caller;
  beforeAll(async () => {
    stack = await startOrderStack(pgliteTarget);
    service = await stack.servicePrincipal();
  });
  afterAll(() => stack?.dispose());

  it('delivers a change to 200 concurrent WatchOrder streams', async () => {
    const alice = await stack.signUp();
    const { order } = await stack.orders.createOrder(orderRequest(), asCaller(alice.token));
    const streams = Array.from({ length: 200 }, () =>
      readStream(
        stack.client.watchOrder({ orderId: order?.id ?? '' }, bearerMetadata(alice.token), {
          deadline: Date.now() + 20_000,
        }),
      ),
    );
    await Promise.all(streams.map((stream) => stream.received(1)));
    expect(stack.service.feed.listenerCount).toBe(200);
    await stack.orders.confirmOrder({ orderId: order?.id ?? '' }, asCaller(service.token));
    const ends = await Promise.all(streams.map((stream) => stream.ended));
    expect(ends.every((end) => end.code === GrpcStatus.OK)).toBe(true);
    expect(
      streams.every((stream) => statusOf(stream.messages[1] ?? {}) === OrderStatus.ORDER_STATUS_CONFIRMED),
    ).toBe(true);
    await expectNoListeners(stack);
  });

  it('ends an import cancelled mid-stream, keeping the items processed before', async () => {
    const alice = await stack.signUp();
    const call = stack.client.importOrders(bearerMetadata(alice.token), () => undefined);
    const requests = Array.from({ length: 3 }, () => orderRequest());
    for (const request of requests) call.write({ order: request });
    await vi.waitFor(async () => {
      const listed = await stack.orders.listOrders(
        { pageSize: 10, pageToken: '', status: OrderStatus.ORDER_STATUS_UNSPECIFIED, userId: '' },
        asCaller(alice.token),
      );
      expect(listed.orders).toHaveLength(3);
    });
    call.cancel();
    // A retry of the whole batch finds them as duplicates.
    const summary = await new Promise<ImportOrdersResponse>((resolve, reject) => {
      const retry = stack.client.importOrders(bearerMetadata(alice.token), (error, response) =>
        error ? reject(error) : resolve(response),
      );
      for (const request of requests) retry.write({ order: request });
      retry.end();
    });
    expect(summary).toMatchObject({ createdCount: 0, duplicateCount: 3, failedCount: 0 });
  });

  it('fails an import whose deadline passes before the client half-closes', async () => {
    const alice = await stack.signUp();
    const error = await new Promise<{ code: number }>((resolve) => {
      const call = stack.client.importOrders(
        bearerMetadata(alice.token),
        { deadline: Date.now() + 300 },
        (failure) => resolve(failure ?? { code: GrpcStatus.OK }),
      );
      call.write({ order: orderRequest() });
    });
    expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
  });
});
