import * as grpc from '@grpc/grpc-js';
import {
  GetOrderRequest,
  GetOrderResponse,
  OrderServiceClient,
  OrderServiceService,
  statusFromMetadata,
  WatchOrderRequest,
  WatchOrderResponse,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { contextInterceptor } from '../context/context.interceptor.js';
import { errorInterceptor } from '../errors/error.interceptor.js';
import { InFlightCalls } from './in-flight-calls.js';
import { shutdownInterceptor } from './shutdown.interceptor.js';

const domain = 'test.platform';

let server: RunningGrpcServer | undefined;
let client: OrderServiceClient | undefined;
let releaseHandlers: () => void = () => undefined;

afterEach(async () => {
  releaseHandlers();
  client?.close();
  await server?.stop();
  server = client = undefined;
});

async function serve(
  inFlight: InFlightCalls,
  implementation: Record<string, unknown>,
): Promise<OrderServiceClient> {
  server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: implementation as grpc.UntypedServiceImplementation,
      },
    ],
    interceptors: [contextInterceptor, errorInterceptor({ domain }), shutdownInterceptor(inFlight)],
  });
  client = new OrderServiceClient(server.address, grpc.credentials.createInsecure());
  return client;
}

function getOrder(orders: OrderServiceClient): Promise<GetOrderResponse> {
  return new Promise((resolve, reject) =>
    orders.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

describe('calls in flight', () => {
  it('are counted by kind while they run, and no longer once they end', async () => {
    const inFlight = new InFlightCalls();
    let answer: () => void = () => undefined;
    const answering = new Promise<void>((resolve) => (answer = resolve));
    releaseHandlers = answer;
    let streamCancelled: () => void = () => undefined;
    const streamGone = new Promise<void>((resolve) => (streamCancelled = resolve));
    let unaryStarted: () => void = () => undefined;
    const unaryRunning = new Promise<void>((resolve) => (unaryStarted = resolve));
    const orders = await serve(inFlight, {
      getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
        unaryStarted();
        void answering.then(() => callback(null, GetOrderResponse.create({ order: null })));
      },
      watchOrder: (call: grpc.ServerWritableStream<unknown, WatchOrderResponse>) => {
        call.on('cancelled', () => streamCancelled());
        call.write(WatchOrderResponse.create({ order: null }));
      },
    });
    const stream = orders.watchOrder(WatchOrderRequest.create({ orderId: 'o-1' }));
    stream.on('error', () => undefined);
    await new Promise((resolve) => stream.once('data', resolve));
    const unary = getOrder(orders);
    await unaryRunning;

    expect(inFlight.counts).toEqual({ requests: 1, streams: 1 });
    const settled = inFlight.requestsSettled();
    answer();
    await unary;
    await settled;
    expect(inFlight.counts).toEqual({ requests: 0, streams: 1 });
    stream.cancel();
    // The handler hears of the cancellation after the call context ended the call.
    await streamGone;
    expect(inFlight.counts).toEqual({ requests: 0, streams: 0 });
  });

  it('settle at once when there are none', async () => {
    await expect(new InFlightCalls().requestsSettled()).resolves.toBeUndefined();
  });
});

describe('a call arriving once the calls are closed', () => {
  it('is answered UNAVAILABLE with reason SHUTTING_DOWN and never reaches the handler', async () => {
    const inFlight = new InFlightCalls();
    let handled = 0;
    const orders = await serve(inFlight, {
      getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
        handled += 1;
        callback(null, GetOrderResponse.create({ order: null }));
      },
    });
    // The server still listens: only the interceptor stands between the call and the handler.
    inFlight.close();

    const error = await getOrder(orders).then(
      () => undefined,
      (caught: grpc.ServiceError) => caught,
    );

    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(statusFromMetadata(error?.metadata)?.details.errorInfo).toEqual({
      reason: 'SHUTTING_DOWN',
      domain,
      metadata: {},
    });
    expect(handled).toBe(0);
    expect(inFlight.counts).toEqual({ requests: 0, streams: 0 });
  });
});
