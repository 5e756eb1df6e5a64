// What arrives below the application: strings that are not UTF-8 (every call kind), repeated
// metadata, and the types reflection must describe for clients to read the errors. Through the
// real service; refusals come before any handler, so no user service is needed.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  callWithRawHeaders,
  callWithRawMessages,
  ReflectionClient,
  withInvalidUtf8,
} from '@platform/grpc/testing';
import {
  CancelOrderRequest,
  CreateOrderRequest,
  GetOrderRequest,
  ImportOrdersRequest,
  LineItem,
  ListOrdersRequest,
  OrderServiceService,
  statusDetailTypeNames,
  statusFromMetadata,
  TrackOrdersRequest,
  WatchOrderRequest,
} from '@platform/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrderServiceAlone, type OrderServiceAlone } from './__fixtures__/order-service-alone.js';
import { asCaller, orderRequest } from './__fixtures__/order-stack.js';

let service: OrderServiceAlone;
let token: string;
let otherToken: string;

beforeAll(async () => {
  service = await startOrderServiceAlone();
  token = await service.signToken();
  otherToken = await service.signToken();
});
afterAll(() => service?.stop());

function callerMetadata(): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** The refusal of invalid UTF-8: its field paths and ErrorInfo metadata. */
function refusal(error: ServiceError | undefined) {
  expect(error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  const details = statusFromMetadata(error?.metadata)?.details;
  expect(details?.errorInfo).toMatchObject({ reason: 'INVALID_UTF8', domain: 'order.platform' });
  return {
    fields: details?.badRequest?.fieldViolations.map((violation) => violation.field),
    metadata: details?.errorInfo?.metadata,
  };
}

const call = (
  method: (typeof OrderServiceService)[keyof typeof OrderServiceService],
  messages: Uint8Array[],
) => callWithRawMessages(service.service.address, method, messages, callerMetadata());

async function ordersOfCaller(): Promise<number> {
  const request = ListOrdersRequest.create({ pageSize: 0 });
  return (await service.orders.listOrders(request, asCaller(token))).orders.length;
}

describe('invalid UTF-8 in a string field', () => {
  it('refuses a unary CreateOrder naming the item, and writes nothing', async () => {
    const request = CreateOrderRequest.encode(
      orderRequest({
        items: [
          LineItem.create({ sku: 'sku-1', quantity: 1, unitPriceMinor: '100' }),
          LineItem.create({ sku: 'sku-§', quantity: 1, unitPriceMinor: '100' }),
        ],
      }),
    );
    expect(refusal(await call(OrderServiceService.createOrder, [withInvalidUtf8(request.finish())]))).toEqual(
      {
        fields: ['items[1].sku'],
        metadata: {},
      },
    );
    expect(await ordersOfCaller()).toBe(0);
  });

  it('refuses a cancel reason', async () => {
    const request = CancelOrderRequest.encode(
      CancelOrderRequest.create({ orderId: crypto.randomUUID(), reason: 'changed § mind' }),
    );
    expect(
      refusal(await call(OrderServiceService.cancelOrder, [withInvalidUtf8(request.finish())])).fields,
    ).toEqual(['reason']);
  });

  it('refuses the request of a server stream (WatchOrder)', async () => {
    const request = WatchOrderRequest.encode(WatchOrderRequest.create({ orderId: '§' }));
    expect(
      refusal(await call(OrderServiceService.watchOrder, [withInvalidUtf8(request.finish())])).fields,
    ).toEqual(['order_id']);
  });

  it('ends an ImportOrders stream at the bad item, its index in ErrorInfo metadata, and writes nothing', async () => {
    const bad = ImportOrdersRequest.encode(
      ImportOrdersRequest.create({ order: orderRequest({ currencyCode: '§UR' }) }),
    ).finish();
    const good = ImportOrdersRequest.encode(ImportOrdersRequest.create({ order: orderRequest() })).finish();
    expect(refusal(await call(OrderServiceService.importOrders, [withInvalidUtf8(bad), good]))).toEqual({
      fields: ['order.currency_code'],
      metadata: { messageIndex: '0' },
    });
    expect(await ordersOfCaller()).toBe(0);
  });

  it('ends a TrackOrders stream at the bad request, naming the oneof member', async () => {
    const requests = [
      TrackOrdersRequest.encode(
        TrackOrdersRequest.create({ unsubscribeOrderId: crypto.randomUUID() }),
      ).finish(),
      withInvalidUtf8(
        TrackOrdersRequest.encode(TrackOrdersRequest.create({ subscribeOrderId: '§' })).finish(),
      ),
    ];
    expect(refusal(await call(OrderServiceService.trackOrders, requests))).toEqual({
      fields: ['subscribe_order_id'],
      metadata: { messageIndex: '1' },
    });
  });

  it('keeps serving afterwards', async () => {
    await expect(
      service.orders.getOrder(GetOrderRequest.create({ orderId: crypto.randomUUID() }), asCaller(token)),
    ).rejects.toMatchObject({
      code: GrpcStatus.NOT_FOUND,
    });
  });
});

describe('two authorization values', () => {
  it.each([
    ['unary', OrderServiceService.getOrder],
    ['server-stream', OrderServiceService.watchOrder],
    ['client-stream', OrderServiceService.importOrders],
    ['bidi', OrderServiceService.trackOrders],
  ] as const)('are refused UNAUTHENTICATED (TOKEN_MALFORMED) on a %s call', async (_kind, method) => {
    const outcome = await callWithRawHeaders(
      service.service.address,
      method.path,
      [
        ['authorization', `Bearer ${token}`],
        ['authorization', `Bearer ${otherToken}`],
      ],
      [],
    );
    expect(outcome.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(outcome.status?.details.errorInfo).toMatchObject({
      reason: 'TOKEN_MALFORMED',
      domain: 'order.platform',
    });
  });
});

describe('reflection', () => {
  it.each(['v1', 'v1alpha'] as const)(
    'resolves over %s every type a google.rpc.Status of this service can hold, as grpcurl does',
    async (version) => {
      const reflection = new ReflectionClient(service.service.address);
      try {
        expect(await reflection.unresolved(version, statusDetailTypeNames)).toEqual([]);
      } finally {
        reflection.close();
      }
    },
  );
});
