import * as grpc from '@grpc/grpc-js';
import {
  GetOrderRequest,
  OrderServiceClient,
  OrderServiceService,
  statusFromMetadata,
  TrackOrdersRequest,
  WatchOrderRequest,
  type GetOrderResponse,
  type WatchOrderResponse,
} from '@platform/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer } from './index.js';

const getOrder = OrderServiceService.getOrder.path;
const watchOrder = OrderServiceService.watchOrder.path;
const importOrders = OrderServiceService.importOrders.path;
const trackOrders = OrderServiceService.trackOrders.path;

let server: FaultServer;
let client: OrderServiceClient;

beforeAll(async () => {
  server = await startFaultServer();
  client = new OrderServiceClient(server.address, grpc.credentials.createInsecure());
});

afterEach(() => server.reset());

afterAll(async () => {
  client.close();
  await server.stop();
});

function callGetOrder(metadata = new grpc.Metadata(), options: Partial<grpc.CallOptions> = {}) {
  return new Promise<{ error: grpc.ServiceError | null; response?: GetOrderResponse }>((resolve) => {
    client.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), metadata, options, (error, response) =>
      resolve({ error, response }),
    );
  });
}

function readAll(stream: grpc.ClientReadableStream<WatchOrderResponse>) {
  return new Promise<{ messages: WatchOrderResponse[]; error?: grpc.ServiceError }>((resolve) => {
    const messages: WatchOrderResponse[] = [];
    stream.on('data', (message: WatchOrderResponse) => messages.push(message));
    stream.on('error', (error: grpc.ServiceError) => resolve({ messages, error }));
    stream.on('end', () => resolve({ messages }));
  });
}

describe('unscripted method', () => {
  it('answers OK with the empty response and records the attempt with its metadata and request', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-probe', 'one');
    const { error, response } = await callGetOrder(metadata);
    expect(error).toBeNull();
    expect(response).toEqual({ order: null });
    const [attempt] = server.attempts(getOrder);
    expect(server.attempts(getOrder)).toHaveLength(1);
    expect(attempt?.metadata.get('x-probe')).toEqual(['one']);
    expect(attempt?.requests).toEqual([{ orderId: 'o-1' }]);
    expect(attempt?.deadline).toBeUndefined();
  });
});

describe('scripted faults', () => {
  it('fails the first attempts with the scripted codes, then succeeds', async () => {
    server.script(getOrder, {
      faults: [{ code: grpc.status.UNAVAILABLE }, { code: grpc.status.INTERNAL, message: 'boom' }],
    });
    expect((await callGetOrder()).error?.code).toBe(grpc.status.UNAVAILABLE);
    const second = await callGetOrder();
    expect(second.error?.code).toBe(grpc.status.INTERNAL);
    expect(second.error?.details).toBe('boom');
    expect((await callGetOrder()).error).toBeNull();
    expect(server.attempts(getOrder).map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
  });

  it('lets an attempt whose faults entry is undefined succeed', async () => {
    server.script(getOrder, { faults: [undefined, { code: grpc.status.ABORTED }] });
    expect((await callGetOrder()).error).toBeNull();
    expect((await callGetOrder()).error?.code).toBe(grpc.status.ABORTED);
    expect((await callGetOrder()).error).toBeNull();
  });

  it('keeps failing with thenFault after the listed faults', async () => {
    server.script(getOrder, { thenFault: { code: grpc.status.UNAVAILABLE } });
    for (let call = 0; call < 3; call += 1) {
      expect((await callGetOrder()).error?.code).toBe(grpc.status.UNAVAILABLE);
    }
  });

  it('sends RetryInfo in grpc-status-details-bin and the pushback trailer', async () => {
    server.script(getOrder, {
      faults: [{ code: grpc.status.RESOURCE_EXHAUSTED, retryDelayMs: 1500, pushbackMs: 'soon' }],
    });
    const { error } = await callGetOrder();
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(statusFromMetadata(error?.metadata)?.details.retryInfo).toEqual({
      retryDelay: { seconds: '1', nanos: 500_000_000 },
    });
    expect(error?.metadata.get('grpc-retry-pushback-ms')).toEqual(['soon']);
  });

  it('drops a server stream with the fault after the scripted number of messages', async () => {
    server.script(watchOrder, {
      messages: [{ order: null }],
      faults: [{ code: grpc.status.UNAVAILABLE, afterMessages: 2 }],
    });
    const { messages, error } = await readAll(
      client.watchOrder(WatchOrderRequest.create({ orderId: 'o-1' })),
    );
    expect(messages).toHaveLength(2);
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('fails a client stream and records the attempt', async () => {
    server.script(importOrders, { faults: [{ code: grpc.status.UNAVAILABLE }] });
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.importOrders((failure) => resolve(failure));
      call.end();
    });
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(server.attempts(importOrders)).toHaveLength(1);
  });

  it('answers a bidi stream after the client half-closes, recording its messages', async () => {
    const call = client.trackOrders();
    const replies: unknown[] = [];
    const ended = new Promise<void>((resolve) => call.on('end', resolve));
    call.on('data', (message) => replies.push(message));
    call.write(TrackOrdersRequest.create({ subscribeOrderId: 'o-1' }));
    call.end();
    await ended;
    expect(replies).toEqual([expect.objectContaining({ orderId: '' })]);
    expect(server.attempts(trackOrders)[0]?.requests).toEqual([
      expect.objectContaining({ subscribeOrderId: 'o-1' }),
    ]);
  });
});

describe('cancellation and deadlines', () => {
  it('records the deadline the client sent', async () => {
    const sent = Date.now();
    const deadline = sent + 5_000;
    await callGetOrder(new grpc.Metadata(), { deadline });
    const recorded = server.attempts(getOrder)[0]?.deadline;
    expect(recorded).toBeDefined();
    // grpc-timeout carries a duration; the server adds it to its own clock on arrival, so it
    // sees the client's deadline later by at most the transit.
    expect(recorded).toBeGreaterThanOrEqual(deadline);
    expect(recorded).toBeLessThanOrEqual(deadline + (Date.now() - sent));
  });

  it('observes the client cancelling a hanging attempt', async () => {
    server.script(getOrder, { hang: true });
    const call = client.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), () => undefined);
    const attempt = await server.whenAttempt(getOrder, 1);
    expect(attempt.cancelled).toBe(false);
    call.cancel();
    await attempt.whenCancelled;
    expect(attempt.cancelled).toBe(true);
  });

  it('stops waiting out a delay when the deadline passes', async () => {
    server.script(getOrder, { delayMs: 60_000 });
    const { error } = await callGetOrder(new grpc.Metadata(), { deadline: Date.now() + 100 });
    expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await server.attempts(getOrder)[0]?.whenCancelled;
    expect(server.attempts(getOrder)[0]?.cancelled).toBe(true);
  });
});
