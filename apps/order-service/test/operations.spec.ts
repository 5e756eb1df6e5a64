// What operators rely on: grpc.health.v1 reflecting the database, the metrics endpoint (the
// server's and the user-service client's series), graceful shutdown ending open streams.
import * as grpc from '@grpc/grpc-js';
import { pgliteTarget } from '@platform/db/testing';
import { checkHealth } from '@platform/testing';
import { Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller, orderRequest } from './__fixtures__/order-stack.js';
import { startOrderStack, type OrderStack } from './__fixtures__/start-order-stack.js';
import { readStream } from './__fixtures__/stream-reader.js';
import { WatchOrderRequest } from '@platform/proto';

let stack: OrderStack;
beforeAll(async () => {
  stack = await startOrderStack(pgliteTarget);
});
afterAll(() => stack?.dispose());

describe('operations', () => {
  it('reports SERVING over grpc.health.v1, without a token', async () => {
    await expect(checkHealth(stack.service.address, 'platform.order.v1.OrderService')).resolves.toEqual({
      status: 'SERVING',
    });
  });

  it('exposes server and client gRPC series on GET /metrics', async () => {
    const alice = await stack.signUp();
    await stack.orders.createOrder(orderRequest(), asCaller(alice.token));
    const text = await (await fetch(`http://127.0.0.1:${stack.service.metricsPort}/metrics`)).text();
    expect(text).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="CreateOrder"[^}]*\} 1/);
    expect(text).toMatch(/grpc_client_handled_total\{[^}]*grpc_method="GetUser"[^}]*grpc_code="OK"[^}]*\} 1/);
  });

  it('on stop, ends open WatchOrder streams with UNAVAILABLE and reports NOT_SERVING', async () => {
    const alice = await stack.signUp();
    const { order } = await stack.orders.createOrder(orderRequest(), asCaller(alice.token));
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${alice.token}`);
    const stream = readStream(
      stack.client.watchOrder(WatchOrderRequest.create({ orderId: order?.id ?? '' }), metadata),
    );
    await stream.received(1);
    const result = await stack.service.stop();
    expect(result).toMatchObject({ forced: false, streamsEnded: 1 });
    expect((await stream.ended).code).toBe(grpc.status.UNAVAILABLE);
    expect(stack.service.health.status('platform.order.v1.OrderService')).toBe('NOT_SERVING');
    expect(stack.service.feed.listenerCount).toBe(0);
  });
});
