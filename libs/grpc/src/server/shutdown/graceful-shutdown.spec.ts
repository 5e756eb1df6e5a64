import * as grpc from '@grpc/grpc-js';
import {
  GetOrderRequest,
  GetOrderResponse,
  ImportOrdersRequest,
  ImportOrdersResponse,
  OrderServiceClient,
  OrderServiceService,
  statusFromMetadata,
  TrackOrdersRequest,
  WatchOrderRequest,
  WatchOrderResponse,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { currentCall } from '../context/call-context.js';
import { contextInterceptor } from '../context/context.interceptor.js';
import { errorInterceptor } from '../errors/error.interceptor.js';
import { HealthService } from '../../services/health/health-service.js';
import { gracefulShutdown } from './graceful-shutdown.js';
import { InFlightCalls } from './in-flight-calls.js';
import type { ShutdownStep, ShutdownStepName } from './shutdown-options.js';
import { shutdownInterceptor } from './shutdown.interceptor.js';

const domain = 'test.platform';
const emptyOrder: GetOrderResponse = GetOrderResponse.create({ order: null });

let server: RunningGrpcServer | undefined;
let client: OrderServiceClient | undefined;
let releaseHandlers: () => void = () => undefined;

afterEach(async () => {
  releaseHandlers();
  client?.close();
  await server?.stop();
  server = client = undefined;
});

/** A promise with its resolver, to sequence the test with the server's handlers. */
function signal<T = void>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolver) => (resolve = resolver));
  return { promise, resolve };
}

async function serve(implementation: Record<string, unknown>, inFlight = new InFlightCalls()) {
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
  return { inFlight, server: server.server, client };
}

function getOrder(orders: OrderServiceClient): Promise<GetOrderResponse> {
  return new Promise((resolve, reject) =>
    orders.getOrder(
      GetOrderRequest.create({ orderId: 'o-1' }),
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (error, response) => (error ? reject(error) : resolve(response)),
    ),
  );
}

/** Records the steps and resolves `reached(name)` once a step was reached. */
function stepRecorder() {
  const steps: ShutdownStep[] = [];
  const waiters = new Map<ShutdownStepName, () => void>();
  return {
    steps,
    names: () => steps.map((step) => step.name),
    onStep: (step: ShutdownStep) => {
      steps.push(step);
      waiters.get(step.name)?.();
    },
    reached: (name: ShutdownStepName) =>
      steps.some((step) => step.name === name)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.set(name, resolve)),
  };
}

describe('an in-flight unary call', () => {
  it('completes OK while the server shuts down, and the shutdown ends without force', async () => {
    const started = signal();
    const release = signal();
    releaseHandlers = release.resolve;
    const {
      inFlight,
      server: grpcServer,
      client: orders,
    } = await serve({
      getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
        started.resolve();
        void release.promise.then(() => callback(null, emptyOrder));
      },
    });
    const health = new HealthService({ services: ['platform.order.v1.OrderService'] });
    const recorder = stepRecorder();

    const slowCall = getOrder(orders);
    await started.promise;
    const shutdown = gracefulShutdown(grpcServer, { inFlight, health, onStep: recorder.onStep });
    await recorder.reached('refusing-calls');
    expect(inFlight.counts).toEqual({ requests: 1, streams: 0 });
    release.resolve();

    await expect(slowCall).resolves.toEqual(emptyOrder);
    await expect(shutdown).resolves.toMatchObject({ forced: false, streamsEnded: 0 });
    expect(recorder.names()).toEqual([
      'not-serving',
      'refusing-calls',
      'requests-drained',
      'streams-ended',
      'drained',
    ]);
    expect(health.status('platform.order.v1.OrderService')).toBe('NOT_SERVING');
  });
});

describe('a new call after shutdown began', () => {
  it('is refused with UNAVAILABLE while the in-flight call drains', async () => {
    const started = signal();
    const release = signal();
    releaseHandlers = release.resolve;
    let handled = 0;
    const {
      inFlight,
      server: grpcServer,
      client: orders,
    } = await serve({
      getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
        handled += 1;
        started.resolve();
        void release.promise.then(() => callback(null, emptyOrder));
      },
    });
    const recorder = stepRecorder();
    const slowCall = getOrder(orders);
    await started.promise;
    const shutdown = gracefulShutdown(grpcServer, { inFlight, onStep: recorder.onStep });
    await recorder.reached('refusing-calls');

    await expect(getOrder(orders)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(handled).toBe(1);
    release.resolve();
    await expect(slowCall).resolves.toEqual(emptyOrder);
    await shutdown;
  });
});

describe('a long-lived stream', () => {
  it('of a server-streaming call ends with UNAVAILABLE (SHUTTING_DOWN) and its call context aborts', async () => {
    const streaming = signal<AbortSignal | undefined>();
    let handlerCancelled = false;
    const {
      inFlight,
      server: grpcServer,
      client: orders,
    } = await serve({
      watchOrder: (call: grpc.ServerWritableStream<unknown, WatchOrderResponse>) => {
        call.on('cancelled', () => (handlerCancelled = true));
        call.write(WatchOrderResponse.create({ order: null }));
        streaming.resolve(currentCall()?.signal);
      },
    });
    const stream = orders.watchOrder(WatchOrderRequest.create({ orderId: 'o-1' }));
    const firstMessage = new Promise((resolve) => stream.once('data', resolve));
    const streamError = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    await firstMessage;
    const contextSignal = await streaming.promise;
    expect(inFlight.counts).toEqual({ requests: 0, streams: 1 });

    const result = await gracefulShutdown(grpcServer, { inFlight, drainTimeoutMs: 5000 });

    const error = await streamError;
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(statusFromMetadata(error.metadata)?.details.errorInfo?.reason).toBe('SHUTTING_DOWN');
    expect(result).toMatchObject({ forced: false, streamsEnded: 1 });
    expect(contextSignal?.aborted).toBe(true);
    expect(handlerCancelled).toBe(true);
  });

  it('of a bidi call ends with UNAVAILABLE (SHUTTING_DOWN) too', async () => {
    const {
      inFlight,
      server: grpcServer,
      client: orders,
    } = await serve({
      trackOrders: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
        call.on('data', () => call.write({ orderId: 'o-1' }));
      },
    });
    const stream = orders.trackOrders();
    const streamError = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    const echoed = new Promise((resolve) => stream.once('data', resolve));
    stream.write(TrackOrdersRequest.create({ subscribeOrderId: 'o-1' }));
    await echoed;

    await expect(gracefulShutdown(grpcServer, { inFlight })).resolves.toMatchObject({
      forced: false,
      streamsEnded: 1,
    });
    expect((await streamError).code).toBe(grpc.status.UNAVAILABLE);
  });

  it('is ended only once the in-flight requests are done', async () => {
    const started = signal();
    const release = signal();
    releaseHandlers = release.resolve;
    const {
      inFlight,
      server: grpcServer,
      client: orders,
    } = await serve({
      getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
        started.resolve();
        void release.promise.then(() => callback(null, emptyOrder));
      },
      watchOrder: (call: grpc.ServerWritableStream<unknown, WatchOrderResponse>) => {
        call.write(WatchOrderResponse.create({ order: null }));
      },
    });
    const stream = orders.watchOrder(WatchOrderRequest.create({ orderId: 'o-1' }));
    let streamEnded = false;
    stream.on('error', () => (streamEnded = true));
    await new Promise((resolve) => stream.once('data', resolve));
    const slowCall = getOrder(orders);
    await started.promise;
    const recorder = stepRecorder();

    const shutdown = gracefulShutdown(grpcServer, { inFlight, onStep: recorder.onStep });
    await recorder.reached('refusing-calls');
    expect(streamEnded).toBe(false);
    release.resolve();

    await expect(slowCall).resolves.toEqual(emptyOrder);
    await expect(shutdown).resolves.toMatchObject({ forced: false, streamsEnded: 1 });
    expect(recorder.names()).toEqual([
      'not-serving',
      'refusing-calls',
      'requests-drained',
      'streams-ended',
      'drained',
    ]);
  });
});

describe('a client-streaming call in flight', () => {
  it('is left to finish, as a request', async () => {
    const receiving = signal();
    const {
      inFlight,
      server: grpcServer,
      client: orders,
    } = await serve({
      importOrders: (
        call: grpc.ServerReadableStream<unknown, ImportOrdersResponse>,
        callback: grpc.sendUnaryData<ImportOrdersResponse>,
      ) => {
        let count = 0;
        call.on('data', () => {
          count += 1;
          receiving.resolve();
        });
        call.on('end', () => callback(null, ImportOrdersResponse.create({ createdCount: count })));
      },
    });
    const recorder = stepRecorder();
    let stream!: grpc.ClientWritableStream<ImportOrdersRequest>;
    const summary = new Promise<ImportOrdersResponse>((resolve, reject) => {
      stream = orders.importOrders((error, response) => (error ? reject(error) : resolve(response)));
    });
    stream.write(ImportOrdersRequest.create({ order: null }));
    await receiving.promise;

    const shutdown = gracefulShutdown(grpcServer, { inFlight, onStep: recorder.onStep });
    await recorder.reached('refusing-calls');
    expect(inFlight.counts).toEqual({ requests: 1, streams: 0 });
    stream.write(ImportOrdersRequest.create({ order: null }));
    stream.end();

    await expect(summary).resolves.toMatchObject({ createdCount: 2 });
    await expect(shutdown).resolves.toMatchObject({ forced: false, streamsEnded: 0 });
  });
});

describe('a handler that never finishes', () => {
  it('is cut when drainTimeoutMs passes: the shutdown is forced and the client gets an error', async () => {
    const started = signal();
    const {
      inFlight,
      server: grpcServer,
      client: orders,
    } = await serve({
      getOrder: () => started.resolve(),
    });
    const recorder = stepRecorder();
    const stuckCall = getOrder(orders).then(
      () => 'answered',
      (error: grpc.ServiceError) => error.code,
    );
    await started.promise;

    const result = await gracefulShutdown(grpcServer, {
      inFlight,
      drainTimeoutMs: 100,
      onStep: recorder.onStep,
    });

    expect(result.forced).toBe(true);
    expect(recorder.names()).toEqual(['not-serving', 'refusing-calls', 'streams-ended', 'forced']);
    expect(await stuckCall).not.toBe('answered');
  });
});

describe('calling gracefulShutdown twice', () => {
  it('returns the same shutdown', async () => {
    const { inFlight, server: grpcServer } = await serve({});
    const first = gracefulShutdown(grpcServer, { inFlight });
    expect(gracefulShutdown(grpcServer, { inFlight })).toBe(first);
    await expect(first).resolves.toMatchObject({ forced: false });
  });
});
