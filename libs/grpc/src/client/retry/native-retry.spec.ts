import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import {
  CancelOrderRequest,
  GetOrderRequest,
  OrderServiceClient,
  OrderServiceService,
} from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { unaryCall } from '../channel/unary-call.js';
import type { ClientError } from '../errors/client-error.js';
import { retryClientInterceptor } from './retry.interceptor.js';

// The rule against double retries: methods the channel's service config gives a grpc-js
// retryPolicy are left to grpc-js, unless grpc.enable_retries is 0 (grpc-js then retries none).

const getOrder = OrderServiceService.getOrder.path;
const unavailable = { code: GrpcStatus.UNAVAILABLE };

let server: FaultServer;
const clients: OrderServiceClient[] = [];

beforeAll(async () => {
  server = await startFaultServer();
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  server.reset();
});

afterAll(() => server.stop());

function callGetOrder(client: OrderServiceClient): Promise<ClientError | undefined> {
  return unaryCall(
    client.getOrder.bind(client),
    GetOrderRequest.create({ orderId: 'o-1' }),
    new Metadata(),
  ).then(
    () => undefined,
    (error: unknown) => error as ClientError,
  );
}

describe('channel with a grpc-js service-config retry policy', () => {
  const serviceConfig = JSON.stringify({
    methodConfig: [
      {
        name: [{ service: 'platform.order.v1.OrderService', method: 'GetOrder' }],
        retryPolicy: {
          maxAttempts: 2,
          initialBackoff: '0.01s',
          maxBackoff: '0.01s',
          backoffMultiplier: 1,
          retryableStatusCodes: ['UNAVAILABLE'],
        },
      },
    ],
  });

  function clientWith(channelOptions: Record<string, unknown>) {
    const client = createClient(OrderServiceClient, server.address, {
      channelOptions,
      interceptors: [retryClientInterceptor({ random: () => 0, maxAttempts: 4 })],
    });
    clients.push(client);
    return client;
  }

  it('leaves the method to grpc-js: attempts follow its policy, not both multiplied', async () => {
    server.script(getOrder, { thenFault: unavailable });
    expect((await callGetOrder(clientWith({ 'grpc.service_config': serviceConfig })))?.code).toBe(
      GrpcStatus.UNAVAILABLE,
    );
    expect(server.attempts(getOrder)).toHaveLength(2);
  });

  it('retries itself when grpc.enable_retries is 0', async () => {
    server.script(getOrder, { thenFault: unavailable });
    await callGetOrder(clientWith({ 'grpc.service_config': serviceConfig, 'grpc.enable_retries': 0 }));
    expect(server.attempts(getOrder)).toHaveLength(4);
  });

  it('still retries methods the service config does not name', async () => {
    const cancelOrder = OrderServiceService.cancelOrder.path;
    server.script(cancelOrder, { thenFault: unavailable });
    const client = clientWith({ 'grpc.service_config': serviceConfig });
    await unaryCall(
      client.cancelOrder.bind(client),
      CancelOrderRequest.create({ orderId: 'o-1', reason: '' }),
    ).catch(() => undefined);
    expect(server.attempts(cancelOrder)).toHaveLength(4);
  });
});
