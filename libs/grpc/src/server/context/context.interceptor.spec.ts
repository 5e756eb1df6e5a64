import * as grpc from '@grpc/grpc-js';
import {
  GetOrderRequest,
  GetOrderResponse,
  OrderServiceClient,
  OrderServiceService,
  WatchOrderRequest,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import { isDeadlineReason, remainingMs } from '@platform/core';
import { currentCall, type CallContext, type CallOutcome } from './call-context.js';
import { contextInterceptor } from './context.interceptor.js';

let server: RunningGrpcServer | undefined;
let client: OrderServiceClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.stop();
  server = client = undefined;
});

/** An interceptor after the context one that records each call's outcome. */
function outcomeRecorder(outcomes: CallOutcome[]) {
  return createServerInterceptor('recorder', (context) => {
    context.onEnd((outcome) => outcomes.push(outcome));
    return undefined;
  });
}

async function serve(
  implementation: Partial<grpc.UntypedServiceImplementation>,
  interceptors: grpc.ServerInterceptor[] = [contextInterceptor],
) {
  server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: implementation as grpc.UntypedServiceImplementation,
      },
    ],
    interceptors,
  });
  client = new OrderServiceClient(server.address, grpc.credentials.createInsecure());
  return client;
}

const emptyOrder: GetOrderResponse = GetOrderResponse.create({ order: null });

describe('inside a handler', () => {
  it('exposes the call: method, metadata, peer and the remaining deadline', async () => {
    let seen: { context: CallContext | undefined; remaining: number } | undefined;
    const orders = await serve({
      getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
        // Read after an await: the context must survive async continuations.
        void Promise.resolve().then(() => {
          seen = { context: currentCall(), remaining: remainingMs() };
          callback(null, emptyOrder);
        });
      },
    });
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'abc');

    await new Promise((resolve, reject) =>
      orders.getOrder(
        GetOrderRequest.create({ orderId: '1' }),
        metadata,
        { deadline: Date.now() + 5_000 },
        (error, response) => (error ? reject(error) : resolve(response)),
      ),
    );

    expect(seen?.context?.method).toMatchObject({
      service: 'platform.order.v1.OrderService',
      method: 'GetOrder',
      type: 'unary',
    });
    expect(seen?.context?.metadata.get('x-request-id')).toEqual(['abc']);
    expect(seen?.context?.peer).toMatch(/127\.0\.0\.1/);
    expect(seen?.remaining).toBeGreaterThan(3_000);
    expect(seen?.remaining).toBeLessThanOrEqual(5_000);
  });

  it('reports an infinite remaining time when the caller set no deadline', async () => {
    let remaining = 0;
    const orders = await serve({
      getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
        remaining = remainingMs();
        callback(null, emptyOrder);
      },
    });
    await new Promise((resolve) => orders.getOrder(GetOrderRequest.create({ orderId: '1' }), resolve));
    expect(remaining).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('outside a call', () => {
  it('has no current call and an infinite remaining time', () => {
    expect(currentCall()).toBeUndefined();
    expect(remainingMs()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the end of a call', () => {
  it('is reported once with the status sent', async () => {
    const outcomes: CallOutcome[] = [];
    const orders = await serve(
      {
        getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) =>
          callback({ code: grpc.status.NOT_FOUND, details: 'no such order' }),
      },
      [contextInterceptor, outcomeRecorder(outcomes)],
    );
    await new Promise((resolve) => orders.getOrder(GetOrderRequest.create({ orderId: '1' }), resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outcomes).toEqual([
      expect.objectContaining({ code: grpc.status.NOT_FOUND, details: 'no such order' }),
    ]);
  });

  it('is CANCELLED, and the call signal aborts, when the client cancels a stream', async () => {
    const outcomes: CallOutcome[] = [];
    let signal: AbortSignal | undefined;
    const orders = await serve(
      {
        watchOrder: (call: grpc.ServerWritableStream<unknown, unknown>) => {
          signal = currentCall()?.signal;
          call.write({ order: null });
        },
      },
      [contextInterceptor, outcomeRecorder(outcomes)],
    );
    const stream = orders.watchOrder(WatchOrderRequest.create({ orderId: '1' }));
    stream.on('error', () => undefined);
    await new Promise((resolve) => stream.once('data', resolve));
    stream.cancel();
    await expect.poll(() => outcomes.length, { timeout: 5_000 }).toBe(1);

    expect(outcomes[0]?.code).toBe(grpc.status.CANCELLED);
    expect(signal?.aborted).toBe(true);
  });

  it('is DEADLINE_EXCEEDED when the deadline passes in the handler', async () => {
    const outcomes: CallOutcome[] = [];
    let abortReason: unknown;
    const orders = await serve(
      {
        getOrder: () => {
          currentCall()?.signal.addEventListener('abort', function (this: AbortSignal) {
            abortReason = this.reason;
          });
        },
      },
      [contextInterceptor, outcomeRecorder(outcomes)],
    );
    const error = await new Promise<grpc.ServiceError>((resolve) =>
      orders.getOrder(
        GetOrderRequest.create({ orderId: '1' }),
        new grpc.Metadata(),
        { deadline: Date.now() + 100 },
        (failure) => resolve(failure as grpc.ServiceError),
      ),
    );
    await expect.poll(() => outcomes.length, { timeout: 5_000 }).toBe(1);

    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(outcomes[0]?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(isDeadlineReason(abortReason)).toBe(true);
  });
});

describe('a platform interceptor without the context interceptor', () => {
  it('fails the call with INTERNAL and never runs the handler without context', async () => {
    let handlerRan = false;
    const orders = await serve(
      {
        getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
          handlerRan = true;
          callback(null, emptyOrder);
        },
      },
      [outcomeRecorder([])],
    );
    const error = await new Promise<grpc.ServiceError>((resolve) =>
      orders.getOrder(GetOrderRequest.create({ orderId: '1' }), (failure) =>
        resolve(failure as grpc.ServiceError),
      ),
    );
    expect(error.code).toBe(grpc.status.INTERNAL);
    expect(error.details).toBe('Server misconfigured (see the server log)');
    expect(handlerRan).toBe(false);
  });
});
