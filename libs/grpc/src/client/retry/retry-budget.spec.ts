import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { GetOrderRequest, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { unaryCall } from '../channel/unary-call.js';
import type { ClientError } from '../errors/client-error.js';
import { retryClientInterceptor } from './retry.interceptor.js';

const getOrder = OrderServiceService.getOrder.path;
const unavailable = { code: GrpcStatus.UNAVAILABLE };

let primary: FaultServer;
let secondary: FaultServer;
const clients: OrderServiceClient[] = [];

beforeAll(async () => {
  [primary, secondary] = await Promise.all([startFaultServer(), startFaultServer()]);
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  primary.reset();
  secondary.reset();
});

afterAll(async () => {
  await Promise.all([primary.stop(), secondary.stop()]);
});

function clientOf(server: FaultServer, retry: ReturnType<typeof retryClientInterceptor>) {
  const client = createClient(OrderServiceClient, server.address, { interceptors: [retry] });
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

async function exhaustedCount(registry: Registry, target: string): Promise<number> {
  const metric = await registry.getSingleMetric('grpc_client_retry_budget_exhausted_total')?.get();
  return metric?.values.find((value) => value.labels['target'] === target)?.value ?? 0;
}

describe('burst of failures against one target', () => {
  it('stops retrying once the budget is spent and counts each refused retry', async () => {
    const registry = new Registry();
    const retry = retryClientInterceptor({ random: () => 0, registry });
    const client = clientOf(primary, retry);
    primary.script(getOrder, { thenFault: unavailable });

    // 10 tokens, 1 per failed attempt, retries only above 5: the first call fails 4 times
    // (10 -> 6) and retries each time; every later call's first failure leaves <= 5 tokens.
    for (let call = 0; call < 10; call += 1) {
      expect((await callGetOrder(client))?.code).toBe(GrpcStatus.UNAVAILABLE);
    }

    expect(primary.attempts(getOrder)).toHaveLength(4 + 9);
    expect(await exhaustedCount(registry, primary.address)).toBe(9);
  });

  it('keeps the budget of another target untouched', async () => {
    const retry = retryClientInterceptor({ random: () => 0 });
    const exhausted = clientOf(primary, retry);
    primary.script(getOrder, { thenFault: unavailable });
    for (let call = 0; call < 3; call += 1) await callGetOrder(exhausted);
    expect(primary.attempts(getOrder)).toHaveLength(4 + 1 + 1);

    secondary.script(getOrder, { faults: [unavailable, unavailable] });
    expect(await callGetOrder(clientOf(secondary, retry))).toBeUndefined();
    expect(secondary.attempts(getOrder)).toHaveLength(3);
  });
});

describe('successful calls after exhaustion', () => {
  it('refill the budget so retries resume', async () => {
    // 4 tokens, retries above 2, a success gives a whole token back.
    const retry = retryClientInterceptor({ random: () => 0, budget: { maxTokens: 4, tokenRatio: 1 } });
    const client = clientOf(primary, retry);

    primary.script(getOrder, { thenFault: unavailable });
    await callGetOrder(client); // 4 -> 3 (retry) -> 2 (refused)
    expect(primary.attempts(getOrder)).toHaveLength(2);
    await callGetOrder(client); // 2 -> 1 (refused)
    expect(primary.attempts(getOrder)).toHaveLength(3);

    primary.script(getOrder, {});
    for (let call = 0; call < 3; call += 1) expect(await callGetOrder(client)).toBeUndefined(); // 1 -> 4

    primary.script(getOrder, { thenFault: unavailable });
    await callGetOrder(client); // 4 -> 3 (retry) -> 2 (refused)
    expect(primary.attempts(getOrder)).toHaveLength(2);
  });
});
