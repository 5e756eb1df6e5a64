import * as grpc from '@grpc/grpc-js';
import { GetOrderRequest, GetOrderResponse, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { remainingMs } from '@platform/core';
import { currentCall } from '../context/call-context.js';
import { contextInterceptor } from '../context/context.interceptor.js';
import { deadlineServerInterceptor } from './deadline.interceptor.js';
import type { DeadlineServerOptions } from './deadline-options.js';

let server: RunningGrpcServer | undefined;
let client: OrderServiceClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.stop();
});

async function serve(
  options: DeadlineServerOptions,
  getOrder: grpc.handleUnaryCall<unknown, GetOrderResponse>,
) {
  server = await startGrpcServer({
    services: [
      { definition: OrderServiceService, implementation: { getOrder } as grpc.UntypedServiceImplementation },
    ],
    interceptors: [contextInterceptor, deadlineServerInterceptor(options)],
  });
  client = new OrderServiceClient(server.address, grpc.credentials.createInsecure());
  return client;
}

function getOrder(orders: OrderServiceClient, deadline?: number) {
  return new Promise<{ error: grpc.ServiceError | null }>((resolve) =>
    orders.getOrder(
      GetOrderRequest.create({ orderId: '1' }),
      new grpc.Metadata(),
      deadline ? { deadline } : {},
      (error) => resolve({ error }),
    ),
  );
}

describe('a call with too little time left', () => {
  it('is answered DEADLINE_EXCEEDED before the handler runs', async () => {
    let handlerRuns = 0;
    const orders = await serve({ minRemainingMs: 60_000 }, (_call, callback) => {
      handlerRuns += 1;
      callback(null, GetOrderResponse.create({ order: null }));
    });

    // Far from its own deadline, so the answer is the server's refusal, not the client's timer
    // (a busy machine can take 100 ms just to connect).
    const { error } = await getOrder(orders, Date.now() + 30_000);

    expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(error?.details).toMatch(/at least 60000 ms needed/);
    expect(handlerRuns).toBe(0);
  });

  it('with enough time runs normally', async () => {
    const orders = await serve({ minRemainingMs: 200 }, (_call, callback) =>
      callback(null, GetOrderResponse.create({ order: null })),
    );
    expect((await getOrder(orders, Date.now() + 5_000)).error).toBeNull();
  });
});

describe('a call that arrives without a deadline', () => {
  it('gets the default deadline, visible to the handler and enforced', async () => {
    let remaining = 0;
    let aborted: Promise<unknown> | undefined;
    const orders = await serve({ defaultDeadlineMs: 150 }, () => {
      remaining = remainingMs();
      const signal = currentCall()?.signal ?? AbortSignal.abort('no call context');
      aborted = new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
      // Never answers: the server-side default must end the call.
    });

    const { error } = await getOrder(orders);

    expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(150);
    await expect(aborted).resolves.toBeDefined();
  });

  it('keeps the caller deadline when there is one', async () => {
    let remaining = 0;
    const orders = await serve({ defaultDeadlineMs: 150 }, (_call, callback) => {
      remaining = remainingMs();
      callback(null, GetOrderResponse.create({ order: null }));
    });
    await getOrder(orders, Date.now() + 5_000);
    expect(remaining).toBeGreaterThan(1_000);
  });

  it('gets none for methods the default function leaves out', async () => {
    let remaining = 0;
    const orders = await serve({ defaultDeadlineMs: () => undefined }, (_call, callback) => {
      remaining = remainingMs();
      callback(null, GetOrderResponse.create({ order: null }));
    });
    await getOrder(orders);
    expect(remaining).toBe(Number.POSITIVE_INFINITY);
  });
});
