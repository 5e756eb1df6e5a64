import { Metadata, status as GrpcStatus, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  ImportOrdersRequest,
  Order,
  OrderServiceClient,
  OrderServiceService,
  WatchOrderRequest,
  type WatchOrderResponse,
} from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { retryClientInterceptor } from './retry.interceptor.js';

const watchOrder = OrderServiceService.watchOrder.path;
const importOrders = OrderServiceService.importOrders.path;
const trackOrders = OrderServiceService.trackOrders.path;
const unavailable = { code: GrpcStatus.UNAVAILABLE };
const updates = [{ order: Order.fromJSON({ id: 'o-1' }) }, { order: Order.fromJSON({ id: 'o-2' }) }];

let server: FaultServer;
let client: OrderServiceClient;

beforeAll(async () => {
  server = await startFaultServer();
  client = createClient(OrderServiceClient, server.address, {
    interceptors: [retryClientInterceptor({ random: () => 0 })],
  });
});

afterEach(() => server.reset());

afterAll(async () => {
  client.close();
  await server.stop();
});

function readAll(stream: ClientReadableStream<WatchOrderResponse>) {
  return new Promise<{ orderIds: string[]; headers: Metadata[]; error?: ServiceError }>((resolve) => {
    const orderIds: string[] = [];
    const headers: Metadata[] = [];
    stream.on('metadata', (metadata: Metadata) => headers.push(metadata));
    stream.on('data', (message: WatchOrderResponse) => orderIds.push(message.order?.id ?? ''));
    stream.on('error', (error: ServiceError) => resolve({ orderIds, headers, error }));
    stream.on('end', () => resolve({ orderIds, headers }));
  });
}

describe('server stream failing before its first message', () => {
  it('is retried and delivers the retry messages once', async () => {
    server.script(watchOrder, { messages: updates, faults: [unavailable, unavailable] });
    const { orderIds, headers, error } = await readAll(
      client.watchOrder(WatchOrderRequest.create({ orderId: 'o-1' })),
    );
    expect(error).toBeUndefined();
    expect(orderIds).toEqual(['o-1', 'o-2']);
    // Response headers of the failed attempts are not delivered: one set, the committed attempt's.
    expect(headers).toHaveLength(1);
    expect(server.attempts(watchOrder)).toHaveLength(3);
    expect(server.attempts(watchOrder)[2]?.metadata.get('grpc-previous-rpc-attempts')).toEqual(['2']);
  });
});

describe('server stream dropped after its first message', () => {
  it('is not retried: the caller gets the message, then UNAVAILABLE', async () => {
    server.script(watchOrder, { messages: updates, faults: [{ ...unavailable, afterMessages: 1 }] });
    const { orderIds, error } = await readAll(
      client.watchOrder(WatchOrderRequest.create({ orderId: 'o-1' })),
    );
    expect(orderIds).toEqual(['o-1']);
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(server.attempts(watchOrder)).toHaveLength(1);
  });
});

describe('client stream', () => {
  it('is never retried, though ImportOrders is IDEMPOTENT', async () => {
    server.script(importOrders, { faults: [unavailable] });
    const error = await new Promise<ServiceError | null>((resolve) => {
      const call = client.importOrders((failure) => resolve(failure));
      call.write(ImportOrdersRequest.create({ order: null }));
      call.end();
    });
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(server.attempts(importOrders)).toHaveLength(1);
  });

  it('still works when the call succeeds', async () => {
    const error = await new Promise<ServiceError | null>((resolve) => {
      const call = client.importOrders((failure) => resolve(failure));
      call.write(ImportOrdersRequest.create({ order: null }));
      call.write(ImportOrdersRequest.create({ order: null }));
      call.end();
    });
    expect(error).toBeNull();
    expect(server.attempts(importOrders)[0]?.requests).toHaveLength(2);
  });
});

describe('bidi stream', () => {
  it('is never retried, though TrackOrders is NO_SIDE_EFFECTS', async () => {
    server.script(trackOrders, { faults: [unavailable] });
    const call = client.trackOrders();
    const error = await new Promise<ServiceError>((resolve) => call.on('error', resolve));
    call.end();
    expect(error.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(server.attempts(trackOrders)).toHaveLength(1);
  });
});
