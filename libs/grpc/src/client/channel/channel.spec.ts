import {
  connectivityState,
  credentials,
  InterceptingCall,
  Metadata,
  status as GrpcStatus,
  type Interceptor,
} from '@grpc/grpc-js';
import { GetOrderRequest, OrderServiceClient, OrderServiceService, UserServiceClient } from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientError } from '../errors/client-error.js';
import { resolveChannelOptions } from './channel-options.js';
import { channelScopeOf, targetKeyOf, type ChannelScope } from './channel-scope.js';
import { createClient } from './create-client.js';
import { unaryCall } from './unary-call.js';

const getOrder = OrderServiceService.getOrder.path;

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

function track<T extends { close(): void }>(client: T): T {
  clients.push(client);
  return client;
}

/** An interceptor that adds a header and records the channel scope it sees. */
function probe(seen: (ChannelScope | string | undefined)[]): Interceptor {
  return (options, nextCall) => {
    seen.push(channelScopeOf(options), targetKeyOf(options));
    return new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set('x-intercepted', 'yes');
        next(metadata, listener);
      },
    });
  };
}

describe('createClient', () => {
  it('returns a working generated client with the interceptors applied and the channel scope set', async () => {
    const seen: (ChannelScope | string | undefined)[] = [];
    const orders = track(createClient(OrderServiceClient, server.address, { interceptors: [probe(seen)] }));
    await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }));
    expect(server.attempts(getOrder)[0]?.metadata.get('x-intercepted')).toEqual(['yes']);
    const [scope, key] = seen as [ChannelScope, string];
    expect(scope.target).toBe(server.address);
    expect(scope.channelOptions['grpc.keepalive_time_ms']).toBe(30_000);
    expect(key).toBe(server.address);
  });

  it('shares one channel between clients of the same target and options', () => {
    const orders = track(createClient(OrderServiceClient, server.address));
    const users = track(createClient(UserServiceClient, server.address));
    const otherOptions = track(createClient(OrderServiceClient, server.address, { keepaliveTimeMs: 60_000 }));
    expect(users.getChannel()).toBe(orders.getChannel());
    expect(otherOptions.getChannel()).not.toBe(orders.getChannel());
  });

  it('keeps the shared channel open until its last client closes', async () => {
    const first = createClient(OrderServiceClient, server.address, { maxSendMessageBytes: 1234 });
    const second = createClient(OrderServiceClient, server.address, { maxSendMessageBytes: 1234 });
    const channel = first.getChannel();

    first.close();
    first.close(); // a second close does not release the other client's share
    await unaryCall(second.getOrder.bind(second), GetOrderRequest.create({ orderId: 'o-1' }));
    expect(channel.getConnectivityState(false)).not.toBe(connectivityState.SHUTDOWN);

    second.close();
    expect(channel.getConnectivityState(false)).toBe(connectivityState.SHUTDOWN);
    const third = track(createClient(OrderServiceClient, server.address, { maxSendMessageBytes: 1234 }));
    expect(third.getChannel()).not.toBe(channel);
  });

  it('enforces the message size limit it is given', async () => {
    const orders = track(createClient(OrderServiceClient, server.address, { maxSendMessageBytes: 64 }));
    const error = await unaryCall(
      orders.getOrder.bind(orders),
      GetOrderRequest.create({ orderId: 'x'.repeat(200) }),
    ).then(
      () => undefined,
      (failure: unknown) => failure as ClientError,
    );
    expect(error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(server.attempts(getOrder)).toHaveLength(0);
  });
});

describe('resolveChannelOptions', () => {
  it('sets the platform defaults: keepalive, reconnect backoff, message limits', () => {
    expect(resolveChannelOptions({})).toMatchObject({
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': 1_000,
      'grpc.max_reconnect_backoff_ms': 10_000,
      'grpc.max_receive_message_length': 4 * 1024 * 1024,
      'grpc.max_send_message_length': 4 * 1024 * 1024,
      'grpc.service_config_disable_resolution': 1,
    });
  });

  it('lets typed options and raw channel options override the defaults, raw ones last', () => {
    const options = resolveChannelOptions({
      keepaliveTimeMs: 60_000,
      keepalivePermitWithoutCalls: false,
      channelOptions: { 'grpc.keepalive_time_ms': 90_000, 'grpc.primary_user_agent': 'orders' },
    });
    expect(options['grpc.keepalive_time_ms']).toBe(90_000);
    expect(options['grpc.keepalive_permit_without_calls']).toBe(0);
    expect(options['grpc.primary_user_agent']).toBe('orders');
  });
});

describe('unaryCall', () => {
  it('resolves with the response', async () => {
    server.script(getOrder, { response: { order: null } });
    const orders = track(createClient(OrderServiceClient, server.address));
    await expect(
      unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' })),
    ).resolves.toEqual({
      order: null,
    });
  });

  it('sends the metadata and call options it is given', async () => {
    const orders = track(createClient(OrderServiceClient, server.address));
    const metadata = new Metadata();
    metadata.set('x-request-id', 'r-9');
    const deadline = Date.now() + 3_000;
    await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }), metadata, {
      deadline,
    });
    const [attempt] = server.attempts(getOrder);
    expect(attempt?.metadata.get('x-request-id')).toEqual(['r-9']);
    expect(attempt?.deadline).toBeLessThanOrEqual(deadline + 1_000);
  });

  it('rejects with a ClientError for a failed call', async () => {
    server.script(getOrder, { faults: [{ code: GrpcStatus.NOT_FOUND, retryDelayMs: 10 }] });
    const orders = track(createClient(OrderServiceClient, server.address));
    const error = await unaryCall(
      orders.getOrder.bind(orders),
      GetOrderRequest.create({ orderId: 'o-1' }),
    ).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe(GrpcStatus.NOT_FOUND);
    expect((error as ClientError).retryDelayMs).toBe(10);
  });

  it('cancels the call when its signal aborts, and the server observes it', async () => {
    server.script(getOrder, { hang: true });
    const orders = track(createClient(OrderServiceClient, server.address));
    const controller = new AbortController();
    const outcome = unaryCall(
      orders.getOrder.bind(orders),
      GetOrderRequest.create({ orderId: 'o-1' }),
      new Metadata(),
      {
        signal: controller.signal,
      },
    ).then(
      () => undefined,
      (failure: unknown) => failure as ClientError,
    );
    const attempt = await server.whenAttempt(getOrder, 1);
    controller.abort();
    expect((await outcome)?.code).toBe(GrpcStatus.CANCELLED);
    await attempt.whenCancelled;
    expect(attempt.cancelled).toBe(true);
  });

  it('does not start a call whose signal already aborted', async () => {
    const orders = track(createClient(OrderServiceClient, server.address));
    const error = await unaryCall(
      orders.getOrder.bind(orders),
      GetOrderRequest.create({ orderId: 'o-1' }),
      new Metadata(),
      {
        signal: AbortSignal.abort(),
      },
    ).then(
      () => undefined,
      (failure: unknown) => failure as ClientError,
    );
    expect(error?.code).toBe(GrpcStatus.CANCELLED);
    expect(server.attempts(getOrder)).toHaveLength(0);
  });
});

describe('a hand-built client without the channel scope', () => {
  it('keys per-target state by the service name', async () => {
    const seen: (ChannelScope | string | undefined)[] = [];
    const orders = track(
      new OrderServiceClient(server.address, credentials.createInsecure(), { interceptors: [probe(seen)] }),
    );
    await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }));
    expect(seen).toEqual([undefined, 'platform.order.v1.OrderService']);
  });
});
