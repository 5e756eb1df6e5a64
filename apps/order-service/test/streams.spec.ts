// The three streaming kinds through real gRPC: WatchOrder (server), ImportOrders (client),
// TrackOrders (bidi), fed by committed changes; cancellation and deadlines end them and leave
// no listener behind.
import { Metadata, status as GrpcStatus, type ClientDuplexStream } from '@grpc/grpc-js';
import { databaseTargets, pgliteTarget } from '@platform/db/testing';
import { ClientError } from '@platform/grpc';
import {
  CancelOrderRequest,
  ConfirmOrderRequest,
  CreateOrderRequest,
  DeactivateUserRequest,
  GetOrderRequest,
  ImportOrdersRequest,
  ImportOutcome,
  LineItem,
  OrderStatus,
  TrackOrdersRequest,
  WatchOrderRequest,
  type ImportOrdersResponse,
  type Order,
  type TrackOrdersResponse,
  type WatchOrderResponse,
} from '@platform/proto';
import { openResettableCall } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { itemErrorOf } from './__fixtures__/item-error-of.js';
import { asCaller, orderRequest, ordersOf } from './__fixtures__/order-stack.js';
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
  await vi.waitFor(() => expect(stack.service.feed.listenerCount).toBe(0), { timeout: 30_000 });
}

/** Sends `orders` as one ImportOrders stream and resolves with its summary. */
function importOrders(
  stack: OrderStack,
  token: string,
  orders: CreateOrderRequest[],
): Promise<ImportOrdersResponse> {
  return new Promise((resolve, reject) => {
    const call = stack.client.importOrders(
      bearerMetadata(token),
      { deadline: Date.now() + 20_000 },
      (error, response) => (error ? reject(error) : resolve(response)),
    );
    for (const order of orders) call.write(ImportOrdersRequest.create({ order }));
    call.end();
  });
}

/** How a unary call refuses: its ClientError. */
async function refusal(call: Promise<unknown>): Promise<ClientError> {
  const error = await call.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof ClientError)) throw new Error(`expected the call to fail, got ${String(error)}`);
  return error;
}

/** The order service's grpc_server_handled_total of one method, by code. */
async function handledByCode(stack: OrderStack, method: string): Promise<Record<string, number>> {
  const metric = stack.service.registry.getSingleMetric('grpc_server_handled_total');
  const { values } = (await metric?.get()) ?? { values: [] };
  return Object.fromEntries(
    values
      .filter((value) => value.labels['grpc_method'] === method)
      .map((value) => [String(value.labels['grpc_code']), value.value]),
  );
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
        stack.client.watchOrder(WatchOrderRequest.create({ orderId }), bearerMetadata(caller.token), {
          deadline: Date.now() + deadlineMs,
        }),
      );

    describe('WatchOrder', () => {
      it('sends the current state, then the committed change, then ends at the final state', async () => {
        const order = await create(alice);
        const stream = watch(alice, order.id);
        await stream.received(1);
        await stack.orders.confirmOrder(
          ConfirmOrderRequest.create({ orderId: order.id }),
          asCaller(service.token),
        );
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
        const call = stack.client.watchOrder(
          WatchOrderRequest.create({ orderId: order.id }),
          bearerMetadata(alice.token),
        );
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
        call.write(TrackOrdersRequest.create({ subscribeOrderId: mine.id }));
        call.write(TrackOrdersRequest.create({ subscribeOrderId: bobs.id }));
        call.write(TrackOrdersRequest.create({ subscribeOrderId: 'not-an-id' }));
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
        await stack.orders.confirmOrder(
          ConfirmOrderRequest.create({ orderId: mine.id }),
          asCaller(service.token),
        );
        await stream.received(4);
        expect(byOrder(mine.id).map(statusOf)).toEqual([
          OrderStatus.ORDER_STATUS_PENDING,
          OrderStatus.ORDER_STATUS_CONFIRMED,
        ]);
        call.write(TrackOrdersRequest.create({ subscribeOrderId: second.id }));
        await stream.received(5);
        call.write(TrackOrdersRequest.create({ unsubscribeOrderId: second.id }));
        await vi.waitFor(() => expect(stack.service.feed.listenerCount).toBe(1), { timeout: 30_000 });
        await stack.orders.cancelOrder(
          CancelOrderRequest.create({ orderId: second.id, reason: '' }),
          asCaller(alice.token),
        );

        call.end();
        expect((await stream.ended).code).toBe(GrpcStatus.OK);
        // Unsubscribed before the cancel: its change never came.
        expect(byOrder(second.id).map(statusOf)).toEqual([OrderStatus.ORDER_STATUS_PENDING]);
        await expectNoListeners(stack);
      });

      it('answers each refused subscription with the error a unary call answers', async () => {
        const bobs = await create(bob);
        const call = stack.client.trackOrders(bearerMetadata(alice.token), { deadline: Date.now() + 10_000 });
        const stream = readStream(call);
        const requests: TrackOrdersRequest[] = [
          TrackOrdersRequest.create({ subscribeOrderId: bobs.id }),
          TrackOrdersRequest.create({ subscribeOrderId: 'not-an-id' }),
          TrackOrdersRequest.create({ subscribeOrderId: '' }),
          TrackOrdersRequest.create({}),
        ];
        for (const [index, request] of requests.entries()) {
          call.write(request);
          await stream.received(index + 1);
        }
        call.end();
        expect((await stream.ended).code).toBe(GrpcStatus.OK);

        const invalid = (field: string, description: string) => ({
          code: 'INVALID_ARGUMENT',
          message: `Invalid request: ${field} ${description}`,
          errorInfo: { reason: 'INVALID_REQUEST', domain: 'order.platform', metadata: {} },
          badRequest: { fieldViolations: [{ field, description, reason: '', localizedMessage: null }] },
          preconditionFailure: null,
          resourceInfo: null,
        });
        const getOrder = await refusal(
          stack.orders.getOrder(GetOrderRequest.create({ orderId: bobs.id }), asCaller(alice.token)),
        );
        // A malformed id is refused as GetOrder refuses one, naming the request's own field.
        const malformed = await refusal(
          stack.orders.getOrder(GetOrderRequest.create({ orderId: 'not-an-id' }), asCaller(alice.token)),
        );
        expect(malformed.reason).toBe('INVALID_REQUEST');
        expect(stream.messages.map(({ orderId, error }) => ({ orderId, error }))).toEqual([
          { orderId: bobs.id, error: itemErrorOf(getOrder) },
          { orderId: 'not-an-id', error: invalid('subscribe_order_id', 'must be an order id (a UUID)') },
          { orderId: '', error: invalid('subscribe_order_id', 'is required') },
          { orderId: '', error: invalid('action', 'must set subscribe_order_id or unsubscribe_order_id') },
        ]);
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
          for (const order of orders) call.write(TrackOrdersRequest.create({ subscribeOrderId: order.id }));
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
          call.write(ImportOrdersRequest.create({ order: orderRequest() }));
          call.write(ImportOrdersRequest.create({ order: duplicate }));
          call.write(
            ImportOrdersRequest.create({
              order: orderRequest({
                items: [LineItem.create({ sku: 'sku-1', quantity: 0, unitPriceMinor: '10' })],
              }),
            }),
          );
          call.write(ImportOrdersRequest.create({ order: orderRequest() }));
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
          GetOrderRequest.create({ orderId: summary.results[0]?.orderId ?? '' }),
          asCaller(alice.token),
        );
        expect(created.order?.status).toBe(OrderStatus.ORDER_STATUS_PENDING);
      });

      it('reports each failed item with exactly what CreateOrder answers for it', async () => {
        const admin = await stack.admin();
        const carol = await stack.signUp();
        await stack.users.deactivateUser(
          DeactivateUserRequest.create({ userId: carol.userId, reason: 'test' }),
          asCaller(admin.token),
        );
        const taken = orderRequest({ userId: alice.userId });
        await stack.orders.createOrder(taken, asCaller(admin.token));
        const bad = [
          orderRequest({
            currencyCode: 'eur',
            items: [LineItem.create({ sku: '-x', quantity: 0, unitPriceMinor: '10' })],
          }),
          { ...taken, currencyCode: 'USD' },
          orderRequest({ userId: carol.userId }),
          orderRequest({ userId: crypto.randomUUID() }),
        ];
        const summary = await importOrders(stack, admin.token, bad);
        expect(summary).toMatchObject({ createdCount: 0, duplicateCount: 0, failedCount: bad.length });
        for (const [index, order] of bad.entries()) {
          const answered = await refusal(stack.orders.createOrder(order, asCaller(admin.token)));
          expect(summary.results[index]).toEqual({
            index,
            requestId: order.requestId,
            outcome: ImportOutcome.IMPORT_OUTCOME_FAILED,
            orderId: '',
            error: itemErrorOf(answered),
          });
        }
        expect(summary.results.map((result) => result.error?.errorInfo?.reason)).toEqual([
          'INVALID_REQUEST',
          'IDEMPOTENCY_KEY_REUSED',
          'USER_DEACTIVATED',
          'USER_NOT_FOUND',
        ]);

        // A service must name the owner, in an item as in a call.
        const service = await stack.servicePrincipal();
        const unnamed = orderRequest();
        const [result] = (await importOrders(stack, service.token, [unnamed])).results;
        const answered = await refusal(stack.orders.createOrder(unnamed, asCaller(service.token)));
        expect(result?.error).toEqual(itemErrorOf(answered));
      });

      it('lists the results of the first 1000 items and counts every item', async () => {
        const bad = Array.from({ length: 1001 }, () => orderRequest({ items: [] }));
        const summary = await importOrders(stack, alice.token, bad);
        expect(summary).toMatchObject({ createdCount: 0, duplicateCount: 0, failedCount: 1001 });
        expect(summary.results.map((result) => result.index)).toEqual([...Array(1000).keys()]);
      });
    });
  });
}

// A client that cancels, as grpc-go does (RST_STREAM alone), is counted CANCELLED, never OK.
describe('a stream the client cancels midway', () => {
  // Bounds a wait for what the server does next, on a loaded machine; it ends as soon as it happens.
  const waitLimit = { timeout: 30_000, interval: 20 };
  let stack: OrderStack;
  beforeAll(async () => {
    stack = await startOrderStack(pgliteTarget);
  });
  afterAll(() => stack?.dispose());

  it.each(['WatchOrder', 'ImportOrders', 'TrackOrders'])('%s is counted CANCELLED', async (method) => {
    const caller = await stack.signUp();
    const { order } = await stack.orders.createOrder(orderRequest(), asCaller(caller.token));
    const before = await handledByCode(stack, method);
    const call = openResettableCall(stack.service.address, `/platform.order.v1.OrderService/${method}`, {
      authorization: `Bearer ${caller.token}`,
    });
    if (method === 'WatchOrder') {
      call.send(WatchOrderRequest.encode(WatchOrderRequest.create({ orderId: order?.id ?? '' })).finish());
      call.halfClose();
      await call.nextMessage();
    } else if (method === 'TrackOrders') {
      call.send(
        TrackOrdersRequest.encode(TrackOrdersRequest.create({ subscribeOrderId: order?.id ?? '' })).finish(),
      );
      await call.nextMessage();
    } else {
      call.send(ImportOrdersRequest.encode(ImportOrdersRequest.create({ order: orderRequest() })).finish());
      // The server is in the call once the item's order exists.
      await vi.waitFor(async () => expect(await ordersOf(stack, caller.token)).toHaveLength(2), waitLimit);
    }
    await call.reset();

    const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);
    await vi.waitFor(
      async () => expect(total(await handledByCode(stack, method))).toBe(total(before) + 1),
      waitLimit,
    );
    const after = await handledByCode(stack, method);
    expect(after['CANCELLED'] ?? 0).toBe((before['CANCELLED'] ?? 0) + 1);
    expect(after['OK'] ?? 0).toBe(before['OK'] ?? 0);
    await expectNoListeners(stack);
  });
});

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
        stack.client.watchOrder(
          WatchOrderRequest.create({ orderId: order?.id ?? '' }),
          bearerMetadata(alice.token),
          {
            deadline: Date.now() + 20_000,
          },
        ),
      ),
    );
    await Promise.all(streams.map((stream) => stream.received(1)));
    expect(stack.service.feed.listenerCount).toBe(200);
    await stack.orders.confirmOrder(
      ConfirmOrderRequest.create({ orderId: order?.id ?? '' }),
      asCaller(service.token),
    );
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
    for (const request of requests) call.write(ImportOrdersRequest.create({ order: request }));
    await vi.waitFor(async () => expect(await ordersOf(stack, alice.token)).toHaveLength(3), {
      timeout: 30_000,
    });
    call.cancel();
    // A retry of the whole batch finds them as duplicates.
    const summary = await new Promise<ImportOrdersResponse>((resolve, reject) => {
      const retry = stack.client.importOrders(bearerMetadata(alice.token), (error, response) =>
        error ? reject(error) : resolve(response),
      );
      for (const request of requests) retry.write(ImportOrdersRequest.create({ order: request }));
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
      call.write(ImportOrdersRequest.create({ order: orderRequest() }));
    });
    expect(error.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
  });
});
