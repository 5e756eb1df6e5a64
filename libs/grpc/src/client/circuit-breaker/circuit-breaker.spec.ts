import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  GetOrderRequest,
  ImportOrdersRequest,
  OrderServiceClient,
  OrderServiceService,
  WatchOrderRequest,
} from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { unaryCall } from '../channel/unary-call.js';
import { ClientError } from '../errors/client-error.js';
import { circuitBreakerClientInterceptor } from './circuit-breaker.interceptor.js';
import type { CircuitBreakerOptions, CircuitState } from './circuit-breaker-options.js';

const getOrder = OrderServiceService.getOrder.path;
const watchOrder = OrderServiceService.watchOrder.path;
const importOrders = OrderServiceService.importOrders.path;
const trackOrders = OrderServiceService.trackOrders.path;
const unavailable = { code: GrpcStatus.UNAVAILABLE };

let primary: FaultServer;
let secondary: FaultServer;
let clock: number;
const clients: OrderServiceClient[] = [];

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startFaultServer(), startFaultServer()]);
});

beforeEach(() => {
  clock = 1_000_000;
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  primary.reset();
  secondary.reset();
});

afterAll(async () => {
  await Promise.all([primary.stop(), secondary.stop()]);
});

function breaker(options: CircuitBreakerOptions = {}) {
  return circuitBreakerClientInterceptor({
    consecutiveFailures: 3,
    openMs: 5_000,
    now: () => clock,
    ...options,
  });
}

function clientOf(server: FaultServer, interceptor: ReturnType<typeof breaker>) {
  const client = createClient(OrderServiceClient, server.address, { interceptors: [interceptor] });
  clients.push(client);
  return client;
}

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

async function failTimes(client: OrderServiceClient, times: number) {
  for (let call = 0; call < times; call += 1)
    expect((await callGetOrder(client))?.code).toBe(GrpcStatus.UNAVAILABLE);
}

describe('consecutive failures reaching the threshold', () => {
  it('open the circuit: calls fail fast with CIRCUIT_OPEN and never reach the server', async () => {
    const client = clientOf(primary, breaker());
    primary.script(getOrder, { thenFault: unavailable });
    await failTimes(client, 3);
    expect(primary.attempts(getOrder)).toHaveLength(3);

    clock += 1_000;
    const error = await callGetOrder(client);
    expect(error).toBeInstanceOf(ClientError);
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error?.reason).toBe('CIRCUIT_OPEN');
    expect(error?.domain).toBe('circuit-breaker.platform');
    expect(error?.statusDetails.errorInfo?.metadata).toEqual({ target: primary.address });
    // RetryInfo says when the circuit lets a probe through.
    expect(error?.retryDelayMs).toBe(4_000);
    await failTimes(client, 2);
    expect(primary.attempts(getOrder)).toHaveLength(3);
  });

  it('do not open it when a success breaks the run', async () => {
    const client = clientOf(primary, breaker());
    primary.script(getOrder, { faults: [unavailable, unavailable, undefined, unavailable, unavailable] });
    for (let call = 0; call < 5; call += 1) await callGetOrder(client);
    expect(await callGetOrder(client)).toBeUndefined();
    expect(primary.attempts(getOrder)).toHaveLength(6);
  });
});

describe('statuses that are answers, not failures', () => {
  it('never open the circuit (NOT_FOUND, INVALID_ARGUMENT) and CANCELLED is not counted', async () => {
    const client = clientOf(primary, breaker());
    primary.script(getOrder, {
      faults: [
        { code: GrpcStatus.NOT_FOUND },
        { code: GrpcStatus.INVALID_ARGUMENT },
        unavailable,
        unavailable,
        { code: GrpcStatus.CANCELLED },
        { code: GrpcStatus.NOT_FOUND },
        { code: GrpcStatus.NOT_FOUND },
      ],
    });
    for (let call = 0; call < 7; call += 1) await callGetOrder(client);
    expect(primary.attempts(getOrder)).toHaveLength(7);
  });
});

describe('failure ratio over the window', () => {
  it('opens the circuit once enough calls are in the window', async () => {
    const client = clientOf(
      primary,
      breaker({ consecutiveFailures: 100, failureRatio: 0.5, minimumCalls: 4 }),
    );
    primary.script(getOrder, { faults: [unavailable, undefined, unavailable, undefined, unavailable] });
    for (let call = 0; call < 5; call += 1) await callGetOrder(client);
    expect((await callGetOrder(client))?.reason).toBe('CIRCUIT_OPEN');
    expect(primary.attempts(getOrder)).toHaveLength(5);
  });

  it('forgets calls older than the window', async () => {
    const client = clientOf(
      primary,
      breaker({ consecutiveFailures: 100, minimumCalls: 4, windowMs: 10_000 }),
    );
    primary.script(getOrder, { faults: [unavailable, unavailable, unavailable, undefined, unavailable] });
    for (let call = 0; call < 3; call += 1) await callGetOrder(client);
    clock += 20_000;
    await callGetOrder(client);
    await callGetOrder(client);
    // 2 calls in the window: below minimumCalls, so still closed.
    expect(await callGetOrder(client)).toBeUndefined();
    expect(primary.attempts(getOrder)).toHaveLength(6);
  });
});

describe('after the open interval', () => {
  it('lets one probe through, and its success closes the circuit', async () => {
    const client = clientOf(primary, breaker());
    primary.script(getOrder, { faults: [unavailable, unavailable, unavailable] });
    await failTimes(client, 3);
    clock += 5_000;
    expect(await callGetOrder(client)).toBeUndefined();
    expect(await callGetOrder(client)).toBeUndefined();
    expect(primary.attempts(getOrder)).toHaveLength(5);
  });

  it('opens again at a failed probe, for a whole new interval', async () => {
    const client = clientOf(primary, breaker());
    primary.script(getOrder, { thenFault: unavailable });
    await failTimes(client, 3);
    clock += 5_000;
    expect((await callGetOrder(client))?.reason).toBeUndefined();
    expect(primary.attempts(getOrder)).toHaveLength(4);
    const error = await callGetOrder(client);
    expect(error?.reason).toBe('CIRCUIT_OPEN');
    expect(error?.retryDelayMs).toBe(5_000);
    expect(primary.attempts(getOrder)).toHaveLength(4);
  });

  it('fails other calls fast with CIRCUIT_HALF_OPEN while the probe is in flight', async () => {
    const client = clientOf(primary, breaker());
    primary.script(getOrder, { faults: [unavailable, unavailable, unavailable], delayMs: 200 });
    await failTimes(client, 3);
    clock += 5_000;
    const probe = callGetOrder(client);
    await primary.whenAttempt(getOrder, 4);
    const rejected = await callGetOrder(client);
    expect(rejected?.reason).toBe('CIRCUIT_HALF_OPEN');
    expect(rejected?.retryDelayMs).toBeUndefined();
    expect(await probe).toBeUndefined();
    expect(primary.attempts(getOrder)).toHaveLength(4);
  });

  it('reports every state change', async () => {
    const changes: [string, CircuitState, CircuitState][] = [];
    const client = clientOf(primary, breaker({ onStateChange: (...change) => changes.push(change) }));
    primary.script(getOrder, { faults: [unavailable, unavailable, unavailable] });
    await failTimes(client, 3);
    clock += 5_000;
    await callGetOrder(client);
    expect(changes).toEqual([
      [primary.address, 'open', 'closed'],
      [primary.address, 'half-open', 'open'],
      [primary.address, 'closed', 'half-open'],
    ]);
  });
});

describe('targets', () => {
  it('have circuits of their own', async () => {
    const interceptor = breaker();
    primary.script(getOrder, { thenFault: unavailable });
    await failTimes(clientOf(primary, interceptor), 3);
    expect((await callGetOrder(clientOf(primary, interceptor)))?.reason).toBe('CIRCUIT_OPEN');
    expect(await callGetOrder(clientOf(secondary, interceptor))).toBeUndefined();
  });
});

describe('open circuit and streams', () => {
  it('fails the stream fast without reaching the server', async () => {
    const client = clientOf(primary, breaker());
    primary.script(getOrder, { thenFault: unavailable });
    await failTimes(client, 3);
    const error = await new Promise<ServiceError>((resolve) =>
      client
        .watchOrder(WatchOrderRequest.create({ orderId: 'o-1' }))
        .on('error', resolve)
        .resume(),
    );
    expect(ClientError.from(error).reason).toBe('CIRCUIT_OPEN');
    expect(primary.attempts(watchOrder)).toHaveLength(0);
  });

  it('fails client-streaming and bidi calls fast without reaching the server', async () => {
    const client = clientOf(primary, breaker());
    primary.script(getOrder, { thenFault: unavailable });
    await failTimes(client, 3);
    const upload = await new Promise<ServiceError | null>((resolve) => {
      const call = client.importOrders((error) => resolve(error));
      call.write(ImportOrdersRequest.create({ order: null }));
      call.end();
    });
    const bidi = client.trackOrders();
    const tracked = await new Promise<ServiceError>((resolve) => bidi.on('error', resolve).resume());
    expect(ClientError.from(upload).reason).toBe('CIRCUIT_OPEN');
    expect(ClientError.from(tracked).reason).toBe('CIRCUIT_OPEN');
    expect(primary.attempts(importOrders)).toHaveLength(0);
    expect(primary.attempts(trackOrders)).toHaveLength(0);
  });
});
