// Order lifecycle through real gRPC calls, against a real user service (a process), on PGlite
// and PostgreSQL: creation (idempotent), reads, lists, cancel, confirm, and who may do what.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { databaseTargets } from '@platform/db/testing';
import { bearer } from '@platform/grpc';
import { expectGrpcError } from '@platform/grpc/testing';
import {
  CancelOrderRequest,
  ConfirmOrderRequest,
  DeactivateUserRequest,
  GetOrderRequest,
  ImportOrdersRequest,
  ListOrdersRequest,
  OrderStatus,
  type ImportOrdersResponse,
  type Order,
} from '@platform/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller, orderRequest } from './__fixtures__/order-stack.js';
import { startOrderStack, type Caller, type OrderStack } from './__fixtures__/start-order-stack.js';

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`orders on ${target.name}`, () => {
    let stack: OrderStack;
    let alice: Caller;
    let bob: Caller;

    beforeAll(async () => {
      stack = await startOrderStack(target);
      [alice, bob] = await Promise.all([stack.signUp(), stack.signUp()]);
    });
    afterAll(() => stack?.dispose());

    const create = (caller: Caller, overrides = {}) =>
      stack.orders
        .createOrder(orderRequest(overrides), asCaller(caller.token))
        .then(({ order }) => order as Order);

    describe('CreateOrder', () => {
      it('takes an order for the caller, with the total computed by the server', async () => {
        const order = await create(alice);
        expect(order).toMatchObject({
          userId: alice.userId,
          currencyCode: 'EUR',
          totalMinor: '625',
          status: OrderStatus.ORDER_STATUS_PENDING,
          version: '1',
          cancelReason: '',
        });
        expect(order.items).toHaveLength(2);
      });

      it('answers a repeated request id with the same order, and a reused one with IDEMPOTENCY_KEY_REUSED', async () => {
        const request = orderRequest();
        const first = await stack.orders.createOrder(request, asCaller(alice.token));
        const again = await stack.orders.createOrder(request, asCaller(alice.token));
        expect(again.order).toEqual(first.order);
        const reused = await expectGrpcError(
          stack.orders.createOrder({ ...request, currencyCode: 'USD' }, asCaller(alice.token)),
          GrpcStatus.FAILED_PRECONDITION,
        );
        expect(reused.statusDetails.errorInfo?.reason).toBe('IDEMPOTENCY_KEY_REUSED');
        expect(reused.statusDetails.preconditionFailure?.violations[0]?.type).toBe('IDEMPOTENCY_KEY');
        // The same request id belongs to each owner separately.
        const bobs = await stack.orders.createOrder(request, asCaller(bob.token));
        expect(bobs.order?.id).not.toBe(first.order?.id);
      });

      it('makes exactly one order of 20 parallel requests with one request id', async () => {
        const request = orderRequest();
        const results = await Promise.all(
          Array.from({ length: 20 }, () => stack.orders.createOrder(request, asCaller(alice.token))),
        );
        expect(new Set(results.map((result) => result.order?.id)).size).toBe(1);
        const listed = await listAll(stack, alice.token);
        expect(listed.filter((order) => order.requestId === request.requestId)).toHaveLength(1);
      });

      it('lets an admin order for another user, but not a user, and requires a service to name the user', async () => {
        const admin = await stack.admin();
        const forAlice = await create(admin, { userId: alice.userId });
        expect(forAlice.userId).toBe(alice.userId);
        const denied = await expectGrpcError(
          stack.orders.createOrder(orderRequest({ userId: alice.userId }), asCaller(bob.token)),
          GrpcStatus.PERMISSION_DENIED,
        );
        expect(denied.statusDetails.errorInfo?.reason).toBe('ORDER_ACCESS_DENIED');
        const service = await stack.servicePrincipal();
        await expectGrpcError(
          stack.orders.createOrder(orderRequest(), asCaller(service.token)),
          GrpcStatus.INVALID_ARGUMENT,
        );
      });

      it('refuses an order for a deactivated user with FAILED_PRECONDITION and PreconditionFailure', async () => {
        const carol = await stack.signUp();
        const admin = await stack.admin();
        await stack.users.deactivateUser(
          DeactivateUserRequest.create({ userId: carol.userId, reason: 'test' }),
          asCaller(admin.token),
        );
        const error = await expectGrpcError(
          stack.orders.createOrder(orderRequest({ userId: carol.userId }), asCaller(admin.token)),
          GrpcStatus.FAILED_PRECONDITION,
        );
        expect(error.statusDetails.errorInfo?.reason).toBe('USER_DEACTIVATED');
        expect(error.statusDetails.preconditionFailure?.violations).toEqual([
          { type: 'USER_STATUS', subject: `users/${carol.userId}`, description: 'the user is deactivated' },
        ]);
      });
    });

    describe('GetOrder', () => {
      it("shows users their own orders only: another user's order is NOT_FOUND, like a missing one", async () => {
        const order = await create(alice);
        await expect(
          stack.orders.getOrder(GetOrderRequest.create({ orderId: order.id }), asCaller(alice.token)),
        ).resolves.toEqual({
          order,
        });
        const hidden = await expectGrpcError(
          stack.orders.getOrder(GetOrderRequest.create({ orderId: order.id }), asCaller(bob.token)),
          GrpcStatus.NOT_FOUND,
        );
        const missing = await expectGrpcError(
          stack.orders.getOrder(
            GetOrderRequest.create({ orderId: crypto.randomUUID() }),
            asCaller(bob.token),
          ),
          GrpcStatus.NOT_FOUND,
        );
        expect(hidden.statusDetails.errorInfo?.reason).toBe(missing.statusDetails.errorInfo?.reason);
        const admin = await stack.admin();
        await expect(
          stack.orders.getOrder(GetOrderRequest.create({ orderId: order.id }), asCaller(admin.token)),
        ).resolves.toEqual({
          order,
        });
      });

      it('answers INVALID_ARGUMENT for a malformed id', async () => {
        await expectGrpcError(
          stack.orders.getOrder(GetOrderRequest.create({ orderId: '42' }), asCaller(alice.token)),
          GrpcStatus.INVALID_ARGUMENT,
        );
      });
    });

    describe('ListOrders', () => {
      it("pages through the caller's orders, filtered by status, with tokens bound to the filter", async () => {
        const dave = await stack.signUp();
        const created = [];
        for (let index = 0; index < 5; index += 1) created.push(await create(dave));
        await stack.orders.cancelOrder(
          CancelOrderRequest.create({ orderId: created[1]?.id ?? '', reason: 'changed my mind' }),
          asCaller(dave.token),
        );

        // Newest first, as the contract says, across pages of 2.
        const all = await listAll(stack, dave.token, 2);
        expect(all.map((order) => order.id)).toEqual(created.map((order) => order.id).reverse());
        const cancelled = await stack.orders.listOrders(
          ListOrdersRequest.create({
            pageSize: 10,
            pageToken: '',
            status: OrderStatus.ORDER_STATUS_CANCELLED,
            userId: '',
          }),
          asCaller(dave.token),
        );
        expect(cancelled.orders.map((order) => order.id)).toEqual([created[1]?.id]);

        const firstPage = await stack.orders.listOrders(
          ListOrdersRequest.create({
            pageSize: 2,
            pageToken: '',
            status: OrderStatus.ORDER_STATUS_UNSPECIFIED,
            userId: '',
          }),
          asCaller(dave.token),
        );
        const replayed = await expectGrpcError(
          stack.orders.listOrders(
            ListOrdersRequest.create({
              pageSize: 2,
              pageToken: firstPage.nextPageToken,
              status: OrderStatus.ORDER_STATUS_PENDING,
              userId: '',
            }),
            asCaller(dave.token),
          ),
          GrpcStatus.INVALID_ARGUMENT,
        );
        expect(
          replayed.statusDetails.badRequest?.fieldViolations.map((violation) => violation.field),
        ).toEqual(['page_token']);
      });

      it("refuses a user listing another user's orders, and lets an admin", async () => {
        await create(alice);
        await expectGrpcError(
          stack.orders.listOrders(
            ListOrdersRequest.create({
              pageSize: 10,
              pageToken: '',
              status: OrderStatus.ORDER_STATUS_UNSPECIFIED,
              userId: alice.userId,
            }),
            asCaller(bob.token),
          ),
          GrpcStatus.PERMISSION_DENIED,
        );
        const admin = await stack.admin();
        const listed = await stack.orders.listOrders(
          ListOrdersRequest.create({
            pageSize: 500,
            pageToken: '',
            status: OrderStatus.ORDER_STATUS_UNSPECIFIED,
            userId: alice.userId,
          }),
          asCaller(admin.token),
        );
        expect(listed.orders.length).toBeGreaterThan(0);
        expect(listed.orders.every((order) => order.userId === alice.userId)).toBe(true);
      });

      it("lists every user's orders to admins and services that name no user, the caller's own to users", async () => {
        const [mine, bobs] = [await create(alice), await create(bob)];
        const service = await stack.servicePrincipal();
        for (const caller of [await stack.admin(), service]) {
          const ids = (await listAll(stack, caller.token)).map((order) => order.id);
          expect(ids).toEqual(expect.arrayContaining([mine.id, bobs.id]));
        }
        const own = (await listAll(stack, alice.token)).map((order) => order.userId);
        expect(new Set(own)).toEqual(new Set([alice.userId]));
      });

      it('clamps a page size above 500 to 500, and refuses a negative one', async () => {
        const carol = await stack.signUp();
        const summary = await importAll(stack, carol.token, 501);
        expect(summary.createdCount).toBe(501);
        const list = (pageSize: number, pageToken = '') =>
          stack.orders.listOrders(
            ListOrdersRequest.create({
              pageSize,
              pageToken,
              status: OrderStatus.ORDER_STATUS_UNSPECIFIED,
              userId: '',
            }),
            asCaller(carol.token),
          );
        for (const pageSize of [501, 2_147_483_647]) {
          const page = await list(pageSize);
          expect(page.orders).toHaveLength(500);
          expect(page.nextPageToken).not.toBe('');
          expect((await list(pageSize, page.nextPageToken)).orders).toHaveLength(1);
        }
        const negative = await expectGrpcError(list(-1), GrpcStatus.INVALID_ARGUMENT);
        expect(negative.reason).toBe('PAGE_SIZE_INVALID');
      }, 90_000); // 501 orders, one transaction each
    });

    describe('CancelOrder and ConfirmOrder', () => {
      it('cancels a pending order once (a second cancel changes nothing), and refuses to confirm it then', async () => {
        const order = await create(alice);
        const { order: cancelled } = await stack.orders.cancelOrder(
          CancelOrderRequest.create({ orderId: order.id, reason: 'too slow' }),
          asCaller(alice.token),
        );
        expect(cancelled).toMatchObject({
          status: OrderStatus.ORDER_STATUS_CANCELLED,
          version: '2',
          cancelReason: 'too slow',
        });
        const again = await stack.orders.cancelOrder(
          CancelOrderRequest.create({ orderId: order.id, reason: 'again' }),
          asCaller(alice.token),
        );
        expect(again.order).toEqual(cancelled);
        const service = await stack.servicePrincipal();
        const refused = await expectGrpcError(
          stack.orders.confirmOrder(
            ConfirmOrderRequest.create({ orderId: order.id }),
            asCaller(service.token),
          ),
          GrpcStatus.FAILED_PRECONDITION,
        );
        expect(refused.statusDetails.errorInfo?.reason).toBe('ORDER_STATE_CONFLICT');
        // The state as the contract spells it: OrderStatus names, not the stored lower case.
        expect(refused.statusDetails.errorInfo?.metadata).toEqual({ status: 'ORDER_STATUS_CANCELLED' });
      });

      it("lets an admin and a service cancel a user's pending order", async () => {
        for (const caller of [await stack.admin(), await stack.servicePrincipal()]) {
          const order = await create(alice);
          const { order: cancelled } = await stack.orders.cancelOrder(
            CancelOrderRequest.create({ orderId: order.id, reason: 'out of stock' }),
            asCaller(caller.token),
          );
          expect(cancelled).toMatchObject({
            status: OrderStatus.ORDER_STATUS_CANCELLED,
            cancelReason: 'out of stock',
          });
        }
      });

      it("answers NOT_FOUND to a user cancelling another user's order, and leaves it alone", async () => {
        const order = await create(alice);
        await expectGrpcError(
          stack.orders.cancelOrder(
            CancelOrderRequest.create({ orderId: order.id, reason: '' }),
            asCaller(bob.token),
          ),
          GrpcStatus.NOT_FOUND,
        );
        await expect(
          stack.orders.getOrder(GetOrderRequest.create({ orderId: order.id }), asCaller(alice.token)),
        ).resolves.toEqual({
          order,
        });
      });

      it('lets only services confirm, idempotently; a confirmed order cannot be cancelled', async () => {
        const order = await create(alice);
        const admin = await stack.admin();
        for (const caller of [alice, admin]) {
          await expectGrpcError(
            stack.orders.confirmOrder(
              ConfirmOrderRequest.create({ orderId: order.id }),
              asCaller(caller.token),
            ),
            GrpcStatus.PERMISSION_DENIED,
          );
        }
        const service = await stack.servicePrincipal();
        const { order: confirmed } = await stack.orders.confirmOrder(
          ConfirmOrderRequest.create({ orderId: order.id }),
          asCaller(service.token),
        );
        expect(confirmed).toMatchObject({ status: OrderStatus.ORDER_STATUS_CONFIRMED, version: '2' });
        const again = await stack.orders.confirmOrder(
          ConfirmOrderRequest.create({ orderId: order.id }),
          asCaller(service.token),
        );
        expect(again.order).toEqual(confirmed);
        const refused = await expectGrpcError(
          stack.orders.cancelOrder(
            CancelOrderRequest.create({ orderId: order.id, reason: '' }),
            asCaller(alice.token),
          ),
          GrpcStatus.FAILED_PRECONDITION,
        );
        expect(refused.statusDetails.preconditionFailure?.violations[0]).toMatchObject({
          type: 'ORDER_STATUS',
          description: 'the order is confirmed',
        });
        expect(refused.statusDetails.errorInfo).toEqual({
          reason: 'ORDER_STATE_CONFLICT',
          domain: 'order.platform',
          metadata: { status: 'ORDER_STATUS_CONFIRMED' },
        });
      });
    });
  });
}

/** Creates `count` orders for the caller with one ImportOrders stream. */
function importAll(stack: OrderStack, token: string, count: number): Promise<ImportOrdersResponse> {
  return new Promise((resolve, reject) => {
    const call = stack.client.importOrders(bearer(token), (error, response) =>
      error ? reject(error) : resolve(response),
    );
    for (let index = 0; index < count; index += 1)
      call.write(ImportOrdersRequest.create({ order: orderRequest() }));
    call.end();
  });
}

async function listAll(stack: OrderStack, token: string, pageSize = 500): Promise<Order[]> {
  const orders: Order[] = [];
  let pageToken = '';
  do {
    const page = await stack.orders.listOrders(
      ListOrdersRequest.create({
        pageSize,
        pageToken,
        status: OrderStatus.ORDER_STATUS_UNSPECIFIED,
        userId: '',
      }),
      asCaller(token),
    );
    orders.push(...page.orders);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return orders;
}
