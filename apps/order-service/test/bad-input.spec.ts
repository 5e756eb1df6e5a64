// Bad order requests get INVALID_ARGUMENT with a field violation naming each bad field, item
// indexes included, before any work; oversized messages RESOURCE_EXHAUSTED; nothing is written.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { expectGrpcError, fieldsOf } from '@platform/grpc/testing';
import {
  CancelOrderRequest,
  GetOrderRequest,
  LineItem,
  ListOrdersRequest,
  OrderStatus,
} from '@platform/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderServiceAlone, type OrderServiceAlone } from './__fixtures__/order-service-alone.js';
import { asCaller, orderRequest, ordersOf } from './__fixtures__/order-stack.js';

// Validation runs before the handler, so no user service is needed: nothing listens there.
let service: OrderServiceAlone;
let token: string;

beforeAll(async () => {
  service = await startOrderServiceAlone({ ORDER_MAX_ITEMS: '5', ORDER_MAX_MESSAGE_BYTES: '65536' });
  token = await service.signToken();
});
afterAll(() => service?.stop());

const item = (overrides: Partial<LineItem> = {}): LineItem =>
  LineItem.create({
    sku: 'sku-1',
    quantity: 1,
    unitPriceMinor: '100',
    ...overrides,
  });
const invalid = (call: Promise<unknown>) => expectGrpcError(call, GrpcStatus.INVALID_ARGUMENT);
const create = (overrides: Parameters<typeof orderRequest>[0]) =>
  service.orders.createOrder(orderRequest(overrides), asCaller(token));

describe('CreateOrder', () => {
  it('names every bad field of every item at once', async () => {
    const error = await invalid(
      create({
        currencyCode: 'XYZ',
        items: [
          item(),
          item({ quantity: 0 }),
          item({ unitPriceMinor: '-1' }),
          item({ sku: '', quantity: -3 }),
        ],
      }),
    );
    expect(fieldsOf(error)).toEqual([
      'currency_code',
      'items[1].quantity',
      'items[2].unit_price_minor',
      'items[3].quantity',
      'items[3].sku',
    ]);
    expect(error.statusDetails.errorInfo?.domain).toBe('order.platform');
  });

  it.each([
    ['no items', { items: [] }, ['items']],
    ['more items than allowed', { items: Array.from({ length: 6 }, () => item()) }, ['items']],
    [
      'a total beyond int64',
      { items: [item({ quantity: 2, unitPriceMinor: '9223372036854775807' })] },
      ['items'],
    ],
    ['a lowercase currency', { currencyCode: 'eur' }, ['currency_code']],
    ['an empty request id', { requestId: '' }, ['request_id']],
    ['a request id with spaces', { requestId: 'my order' }, ['request_id']],
    ['a malformed user id', { userId: 'someone' }, ['user_id']],
  ])('refuses %s', async (_name, overrides, fields) => {
    expect(fieldsOf(await invalid(create(overrides)))).toEqual(fields);
  });

  it('answers RESOURCE_EXHAUSTED to a message over the limit, and keeps serving', async () => {
    await expectGrpcError(create({ requestId: 'x'.repeat(70_000) }), GrpcStatus.RESOURCE_EXHAUSTED);
    expect(fieldsOf(await invalid(create({ items: [] })))).toEqual(['items']);
  });

  it('wrote none of them', async () => {
    expect(await ordersOf(service, token)).toEqual([]);
  });
});

describe('ids and filters', () => {
  it.each(['', 'order-1', '00000000-0000-0000-0000-00000000000g'])(
    'refuses the order id %j on every method',
    async (orderId) => {
      for (const call of [
        service.orders.getOrder(GetOrderRequest.create({ orderId }), asCaller(token)),
        service.orders.cancelOrder(CancelOrderRequest.create({ orderId, reason: '' }), asCaller(token)),
      ]) {
        expect(fieldsOf(await invalid(call))).toEqual(['order_id']);
      }
    },
  );

  it('refuses an unknown status filter and a reason over 500 characters', async () => {
    const status = await invalid(
      service.orders.listOrders(
        ListOrdersRequest.create({
          pageSize: 1,
          pageToken: '',
          status: OrderStatus.UNRECOGNIZED,
          userId: '',
        }),
        asCaller(token),
      ),
    );
    expect(fieldsOf(status)).toEqual(['status']);
    const reason = await invalid(
      service.orders.cancelOrder(
        CancelOrderRequest.create({ orderId: crypto.randomUUID(), reason: 'r'.repeat(501) }),
        asCaller(token),
      ),
    );
    expect(fieldsOf(reason)).toEqual(['reason']);
  });

  it('counts a reason in characters: 500 emoji (1000 UTF-16 units) pass validation', async () => {
    await expectGrpcError(
      service.orders.cancelOrder(
        CancelOrderRequest.create({ orderId: crypto.randomUUID(), reason: '\u{1F4E6}'.repeat(500) }),
        asCaller(token),
      ),
      GrpcStatus.NOT_FOUND,
    );
  });

  it('refuses a negative page size with PAGE_SIZE_INVALID on page_size', async () => {
    const error = await invalid(
      service.orders.listOrders(
        ListOrdersRequest.create({
          pageSize: -1,
          pageToken: '',
          status: OrderStatus.ORDER_STATUS_UNSPECIFIED,
          userId: '',
        }),
        asCaller(token),
      ),
    );
    expect(error.reason).toBe('PAGE_SIZE_INVALID');
    expect(fieldsOf(error)).toEqual(['page_size']);
  });

  it('answers UNAUTHENTICATED without a token', async () => {
    await expectGrpcError(
      service.orders.getOrder(GetOrderRequest.create({ orderId: crypto.randomUUID() })),
      GrpcStatus.UNAUTHENTICATED,
    );
  });
});
