import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { GetOrderRequest, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { unaryCall } from '../channel/unary-call.js';
import { retryClientInterceptor } from './retry.interceptor.js';
import type { RetryOptions } from './retry-options.js';

const getOrder = OrderServiceService.getOrder.path;
const unavailable = { code: GrpcStatus.UNAVAILABLE };
// Timers and Date.now() have millisecond granularity: lower bounds allow for it.
const clockGranularityMs = 2;
// Full jitter draws each delay below its bound; drawing (almost) 1 makes the bound visible.
const almostOne = () => 0.999;

let server: FaultServer;
let client: OrderServiceClient | undefined;

beforeAll(async () => {
  server = await startFaultServer();
});

afterEach(() => {
  client?.close();
  server.reset();
});

afterAll(() => server.stop());

async function callAlwaysFailing(options: RetryOptions, deadline?: number): Promise<number[]> {
  server.script(getOrder, { thenFault: unavailable });
  client = createClient(OrderServiceClient, server.address, {
    interceptors: [retryClientInterceptor(options)],
  });
  await unaryCall(
    client.getOrder.bind(client),
    GetOrderRequest.create({ orderId: 'o-1' }),
    new Metadata(),
    deadline ? { deadline } : {},
  ).catch(() => undefined);
  const arrivals = server.attempts(getOrder).map((attempt) => attempt.receivedAt);
  return arrivals.slice(1).map((arrival, index) => arrival - (arrivals[index] ?? Number.NaN));
}

describe('exponential backoff', () => {
  it('doubles the delay bound after each retry', async () => {
    const gaps = await callAlwaysFailing({ random: almostOne, initialBackoffMs: 60, backoffMultiplier: 2 });
    expect(gaps).toHaveLength(3);
    [60, 120, 240].forEach((bound, index) =>
      expect(gaps[index]).toBeGreaterThanOrEqual(bound * 0.999 - clockGranularityMs),
    );
  });

  it('caps the bound at maxBackoffMs', async () => {
    // Uncapped, the second delay would be ~1 s and the third ~10 s, past the deadline: only
    // three attempts. Capped at 100 ms, all four attempts fit.
    const gaps = await callAlwaysFailing(
      { random: almostOne, initialBackoffMs: 100, backoffMultiplier: 10, maxBackoffMs: 100 },
      Date.now() + 1_500,
    );
    expect(server.attempts(getOrder)).toHaveLength(4);
    expect(gaps).toHaveLength(3);
  });
});
