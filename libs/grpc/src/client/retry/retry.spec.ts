import { Metadata, status as GrpcStatus, type CallOptions, type Interceptor } from '@grpc/grpc-js';
import {
  CreateUserRequest,
  GetOrderRequest,
  OrderServiceClient,
  OrderServiceService,
  UserServiceClient,
  UserServiceService,
} from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { unaryCall } from '../channel/unary-call.js';
import { ClientError } from '../errors/client-error.js';
import { retryClientInterceptor } from './retry.interceptor.js';
import type { RetryOptions } from './retry-options.js';

const getOrder = OrderServiceService.getOrder.path;
const createUser = UserServiceService.createUser.path;
const unavailable = { code: GrpcStatus.UNAVAILABLE };
// Timers and Date.now() both have millisecond granularity: a timer may be seen firing up to a
// millisecond early, so lower bounds on measured delays allow for it.
const clockGranularityMs = 2;

let server: FaultServer;
const clients: { close(): void }[] = [];

beforeAll(async () => {
  server = await startFaultServer();
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  server.reset();
});

afterAll(() => server.stop());

// Backoff 0 by default (random 0) so tests run fast; tests of delays pass their own.
function orderClient(options: RetryOptions = {}, extra: Interceptor[] = []) {
  const client = createClient(OrderServiceClient, server.address, {
    interceptors: [...extra, retryClientInterceptor({ random: () => 0, ...options })],
  });
  clients.push(client);
  return client;
}

async function callGetOrder(
  client: OrderServiceClient,
  metadata = new Metadata(),
  options: Partial<CallOptions> = {},
): Promise<ClientError | undefined> {
  try {
    await unaryCall(
      client.getOrder.bind(client),
      GetOrderRequest.create({ orderId: 'o-1' }),
      metadata,
      options,
    );
    return undefined;
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw error;
  }
}

/** Time between the arrivals of the first and second attempt (NaN when there was no second). */
function gapBetweenAttemptsMs(): number {
  const [first, second] = server.attempts(getOrder);
  return first && second ? second.receivedAt - first.receivedAt : Number.NaN;
}

describe('idempotent call failing UNAVAILABLE twice', () => {
  it('succeeds on the third attempt, the server counting three attempts', async () => {
    server.script(getOrder, { faults: [unavailable, unavailable] });
    expect(await callGetOrder(orderClient())).toBeUndefined();
    expect(server.attempts(getOrder)).toHaveLength(3);
  });

  it('sends grpc-previous-rpc-attempts 1 and 2 on the retries and none on the first attempt', async () => {
    server.script(getOrder, { faults: [unavailable, unavailable] });
    await callGetOrder(orderClient());
    expect(
      server.attempts(getOrder).map((attempt) => attempt.metadata.get('grpc-previous-rpc-attempts')),
    ).toEqual([[], ['1'], ['2']]);
  });

  it('sends the same request and caller metadata on every attempt', async () => {
    server.script(getOrder, { faults: [unavailable] });
    const metadata = new Metadata();
    metadata.set('x-request-id', 'r-1');
    await callGetOrder(orderClient(), metadata);
    const attempts = server.attempts(getOrder);
    expect(attempts.map((attempt) => attempt.requests)).toEqual([[{ orderId: 'o-1' }], [{ orderId: 'o-1' }]]);
    expect(attempts.map((attempt) => attempt.metadata.get('x-request-id'))).toEqual([['r-1'], ['r-1']]);
  });
});

describe('a method that always fails UNAVAILABLE', () => {
  it('makes maxAttempts attempts and ends with the last status', async () => {
    server.script(getOrder, { thenFault: { code: GrpcStatus.UNAVAILABLE, message: 'still down' } });
    const error = await callGetOrder(orderClient({ maxAttempts: 3 }));
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error?.details).toBe('still down');
    expect(server.attempts(getOrder)).toHaveLength(3);
  });

  it('refuses a maxAttempts below 1 at construction', () => {
    expect(() => retryClientInterceptor({ maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});

describe('method that is not idempotent', () => {
  function userClient() {
    const client = createClient(UserServiceClient, server.address, {
      interceptors: [retryClientInterceptor({ random: () => 0 })],
    });
    clients.push(client);
    return client;
  }

  async function callCreateUser(metadata = new Metadata()) {
    const client = userClient();
    return unaryCall(
      client.createUser.bind(client),
      CreateUserRequest.create({
        email: 'a@example.com',
        password: 'correct horse battery',
        displayName: 'A',
      }),
      metadata,
    ).then(
      () => undefined,
      (error: unknown) => error as ClientError,
    );
  }

  it('is attempted once: CreateUser declares IDEMPOTENCY_UNKNOWN', async () => {
    server.script(createUser, { faults: [unavailable, unavailable] });
    expect((await callCreateUser())?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(server.attempts(createUser)).toHaveLength(1);
  });

  it('is retried when the call carries an idempotency-key', async () => {
    server.script(createUser, { faults: [unavailable, unavailable] });
    const metadata = new Metadata();
    metadata.set('idempotency-key', 'k-1');
    expect(await callCreateUser(metadata)).toBeUndefined();
    expect(server.attempts(createUser)).toHaveLength(3);
    expect(server.attempts(createUser).map((attempt) => attempt.metadata.get('idempotency-key'))).toEqual([
      ['k-1'],
      ['k-1'],
      ['k-1'],
    ]);
  });
});

describe('isRetryable option', () => {
  it('overrides the proto: GetOrder opted out is attempted once', async () => {
    server.script(getOrder, { faults: [unavailable] });
    const error = await callGetOrder(orderClient({ isRetryable: () => false }));
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(server.attempts(getOrder)).toHaveLength(1);
  });
});

describe('statuses that do not mean "not processed"', () => {
  it.each([
    ['INVALID_ARGUMENT', GrpcStatus.INVALID_ARGUMENT],
    ['DEADLINE_EXCEEDED', GrpcStatus.DEADLINE_EXCEEDED],
    ['CANCELLED', GrpcStatus.CANCELLED],
    ['INTERNAL', GrpcStatus.INTERNAL],
    ['NOT_FOUND', GrpcStatus.NOT_FOUND],
    ['ABORTED', GrpcStatus.ABORTED],
    ['UNKNOWN', GrpcStatus.UNKNOWN],
  ])('%s is returned after one attempt', async (_name, code) => {
    server.script(getOrder, { faults: [{ code }] });
    expect((await callGetOrder(orderClient()))?.code).toBe(code);
    expect(server.attempts(getOrder)).toHaveLength(1);
  });
});

describe('RESOURCE_EXHAUSTED', () => {
  it('without RetryInfo is returned after one attempt', async () => {
    server.script(getOrder, { faults: [{ code: GrpcStatus.RESOURCE_EXHAUSTED }] });
    expect((await callGetOrder(orderClient()))?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(server.attempts(getOrder)).toHaveLength(1);
  });

  it('with RetryInfo is retried no sooner than its delay', async () => {
    server.script(getOrder, { faults: [{ code: GrpcStatus.RESOURCE_EXHAUSTED, retryDelayMs: 300 }] });
    expect(await callGetOrder(orderClient())).toBeUndefined();
    expect(gapBetweenAttemptsMs()).toBeGreaterThanOrEqual(300 - clockGranularityMs);
  });

  it('with RetryInfo past the deadline ends with RESOURCE_EXHAUSTED without waiting', async () => {
    server.script(getOrder, { faults: [{ code: GrpcStatus.RESOURCE_EXHAUSTED, retryDelayMs: 60_000 }] });
    const error = await callGetOrder(orderClient(), new Metadata(), { deadline: Date.now() + 2_000 });
    expect(error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(error?.retryDelayMs).toBe(60_000);
    expect(server.attempts(getOrder)).toHaveLength(1);
  });
});

describe('grpc-retry-pushback-ms', () => {
  it.each([['-1'], ['soon']])('%s stops retrying', async (pushbackMs) => {
    server.script(getOrder, { faults: [{ ...unavailable, pushbackMs }] });
    expect((await callGetOrder(orderClient()))?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(server.attempts(getOrder)).toHaveLength(1);
  });

  it('replaces the backoff with its delay', async () => {
    server.script(getOrder, { faults: [{ ...unavailable, pushbackMs: 250 }] });
    expect(await callGetOrder(orderClient())).toBeUndefined();
    expect(gapBetweenAttemptsMs()).toBeGreaterThanOrEqual(250 - clockGranularityMs);
  });
});

describe('deadline shorter than the backoff', () => {
  it('ends with the last status before the deadline, with no attempt after it', async () => {
    server.script(getOrder, { thenFault: unavailable });
    // A backoff far past the deadline; the deadline far enough that a busy machine's first
    // attempt ends before it.
    const deadline = Date.now() + 5_000;
    const client = orderClient({ initialBackoffMs: 60_000, maxBackoffMs: 60_000, random: () => 0.999 });
    const error = await callGetOrder(client, new Metadata(), { deadline });
    // UNAVAILABLE, not DEADLINE_EXCEEDED: the client did not sleep until the deadline.
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(server.attempts(getOrder)).toHaveLength(1);
  });
});

describe('cancellation while retrying', () => {
  it('ends the call CANCELLED and starts no further attempt', async () => {
    server.script(getOrder, { thenFault: unavailable });
    const client = orderClient({ initialBackoffMs: 10_000, random: () => 0.5 });
    const controller = new AbortController();
    const outcome = unaryCall(
      client.getOrder.bind(client),
      GetOrderRequest.create({ orderId: 'o-1' }),
      new Metadata(),
      {
        signal: controller.signal,
      },
    ).then(
      () => undefined,
      (error: unknown) => error as ClientError,
    );
    await server.whenAttempt(getOrder, 1);
    controller.abort();
    expect((await outcome)?.code).toBe(GrpcStatus.CANCELLED);
    expect(server.attempts(getOrder)).toHaveLength(1);
  });
});

describe('metrics', () => {
  it('counts each retry by the code that caused it', async () => {
    const registry = new Registry();
    server.script(getOrder, {
      faults: [unavailable, { code: GrpcStatus.RESOURCE_EXHAUSTED, retryDelayMs: 1 }],
    });
    expect(await callGetOrder(orderClient({ registry }))).toBeUndefined();
    const metric = await registry.getSingleMetric('grpc_client_retries_total')?.get();
    const byCode = Object.fromEntries(
      metric?.values.map((value) => [value.labels['grpc_code'], value.value]) ?? [],
    );
    expect(byCode).toEqual({ UNAVAILABLE: 1, RESOURCE_EXHAUSTED: 1 });
    expect(metric?.values[0]?.labels).toMatchObject({
      grpc_service: 'platform.order.v1.OrderService',
      grpc_method: 'GetOrder',
    });
  });

  it('reuses the counters already on the registry', () => {
    const registry = new Registry();
    retryClientInterceptor({ registry });
    expect(() => retryClientInterceptor({ registry })).not.toThrow();
  });
});
