import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import { ResponderBuilder, ServerListenerBuilder } from '@grpc/grpc-js';
import {
  CancelOrderRequest,
  GetOrderRequest,
  GetOrderResponse,
  ImportOrdersRequest,
  ImportOrdersResponse,
  Order,
  OrderServiceClient,
  OrderServiceService,
  OrderStatus,
  TrackOrdersRequest,
  TrackOrdersResponse,
  WatchOrderRequest,
  WatchOrderResponse,
} from '@platform/proto';
import { count, from, map, type Observable } from 'rxjs';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Principal } from '@platform/core';
import { contextInterceptor, createServerInterceptor, currentCall, errorInterceptor } from '@platform/grpc';
import { startNestGrpcApp, type NestGrpcApp } from './__fixtures__/nest-grpc-app.js';
import { GrpcDeadline, GrpcMetadata, GrpcPrincipal } from './grpc-call.decorators.js';
import { GrpcExceptionFilter } from './grpc-exception.filter.js';
import { GrpcService } from './grpc-service.decorator.js';
import type { NestController } from './nest-controller.js';

type Handled = Pick<
  NestController<typeof OrderServiceService>,
  'getOrder' | 'watchOrder' | 'importOrders' | 'trackOrders'
>;

interface SeenByHandler {
  principal?: Principal;
  remaining?: number;
  absoluteDeadline?: number;
  requestId?: string;
  methodTypes: string[];
}

let seen: SeenByHandler = { methodTypes: [] };

/** The call kind, as the platform's call context (so its interceptors) saw it. */
function methodType(): string {
  return currentCall()?.method.type ?? 'no call context';
}

const order = (id: string): Order =>
  Order.create({
    id,
    userId: 'u-1',
    requestId: '',
    items: [],
    currencyCode: 'EUR',
    totalMinor: '0',
    status: OrderStatus.ORDER_STATUS_PENDING,
    version: '1',
    createTime: null,
    updateTime: null,
    cancelReason: '',
  });

@GrpcService(OrderServiceService)
class OrderController implements Handled {
  getOrder(
    request: GetOrderRequest,
    @GrpcPrincipal() principal: Principal | undefined,
    @GrpcDeadline() remaining: number,
    @GrpcDeadline('absolute') absoluteDeadline: number | undefined,
    @GrpcMetadata() metadata: grpc.Metadata,
  ): Promise<GetOrderResponse> {
    seen = {
      ...seen,
      principal,
      remaining,
      absoluteDeadline,
      requestId: String(metadata.get('x-request-id')[0]),
      methodTypes: [...seen.methodTypes, methodType()],
    };
    return Promise.resolve(GetOrderResponse.create({ order: order(request.orderId) }));
  }

  watchOrder(request: WatchOrderRequest): Observable<WatchOrderResponse> {
    seen.methodTypes.push(methodType());
    return from(['1', '2', '3']).pipe(
      map((version) => WatchOrderResponse.create({ order: { ...order(request.orderId), version } })),
    );
  }

  importOrders(requests: Observable<ImportOrdersRequest>): Observable<ImportOrdersResponse> {
    seen.methodTypes.push(methodType());
    return requests.pipe(
      count(),
      map((createdCount) => ImportOrdersResponse.create({ createdCount })),
    );
  }

  trackOrders(requests: Observable<TrackOrdersRequest>): Observable<TrackOrdersResponse> {
    seen.methodTypes.push(methodType());
    return requests.pipe(
      map((request) =>
        TrackOrdersResponse.create({
          orderId: request.subscribeOrderId ?? '',
          order: order(request.subscribeOrderId ?? ''),
        }),
      ),
    );
  }
}

/** Whether the late handlers saw their call paused before they subscribed. */
let pausedBeforeSubscribing: boolean[] = [];

/**
 * Request-stream handlers that subscribe late: once the client's stream ended (every message
 * arrived before the subscription), or, with `x-wait: pause`, once the held messages reached the
 * high-water mark and the call was paused. No handler here holds its stream itself.
 */
@GrpcService(OrderServiceService)
class LateSubscriber implements Pick<
  NestController<typeof OrderServiceService>,
  'importOrders' | 'trackOrders'
> {
  async importOrders(
    requests: Observable<ImportOrdersRequest>,
    @GrpcMetadata() metadata: grpc.Metadata,
    call: grpc.ServerReadableStream<ImportOrdersRequest, ImportOrdersResponse>,
  ): Promise<Observable<ImportOrdersResponse>> {
    await subscribeLate(metadata, call);
    return requests.pipe(
      count(),
      map((createdCount) => ImportOrdersResponse.create({ createdCount })),
    );
  }

  async trackOrders(
    requests: Observable<TrackOrdersRequest>,
    metadata: grpc.Metadata,
    call: grpc.ServerDuplexStream<TrackOrdersRequest, TrackOrdersResponse>,
  ): Promise<Observable<TrackOrdersResponse>> {
    await subscribeLate(metadata, call);
    return requests.pipe(
      map((request) => TrackOrdersResponse.create({ orderId: request.subscribeOrderId ?? '', order: null })),
    );
  }
}

/** Waits for what `x-wait` names: the end of the client's stream, or the call paused. */
async function subscribeLate(metadata: grpc.Metadata, call: NodeJS.ReadableStream): Promise<void> {
  if (metadata.get('x-wait')[0] === 'pause') {
    await vi.waitFor(() => expect(call.isPaused()).toBe(true), { timeout: 10_000 });
  } else {
    await once(call, 'end');
  }
  pausedBeforeSubscribing.push(call.isPaused());
}

/** Stands in for the auth interceptor: the principal named by `x-test-subject`. */
const testPrincipal = createServerInterceptor('test-principal', (context) => {
  const listener = new ServerListenerBuilder()
    .withOnReceiveMetadata((metadata, next) => {
      const [subject] = metadata.get('x-test-subject');
      if (typeof subject === 'string') context.principal = { subject, kind: 'user', roles: ['user'] };
      next(metadata);
    })
    .build();
  return new ResponderBuilder().withStart((next) => next(listener)).build();
});

let nest: NestGrpcApp | undefined;
let client: OrderServiceClient | undefined;

afterEach(async () => {
  client?.close();
  await nest?.close();
  nest = client = undefined;
  seen = { methodTypes: [] };
  pausedBeforeSubscribing = [];
});

async function serve(
  controller: new (...args: never[]) => object = OrderController,
): Promise<OrderServiceClient> {
  nest = await startNestGrpcApp({
    controllers: [controller],
    interceptors: [contextInterceptor, errorInterceptor({ domain: 'test.platform' }), testPrincipal],
  });
  client = new OrderServiceClient(nest.address, grpc.credentials.createInsecure());
  return client;
}

function collect<T>(
  stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>,
): Promise<T[]> {
  const messages: T[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (message: T) => messages.push(message));
    stream.on('error', reject);
    stream.on('end', () => resolve(messages));
  });
}

describe('a controller decorated with @GrpcService', () => {
  it('serves a unary call, with the principal, deadline and metadata of the call context', async () => {
    const orders = await serve();
    const metadata = new grpc.Metadata();
    metadata.set('x-test-subject', 'u-1');
    metadata.set('x-request-id', 'req-7');
    const deadline = Date.now() + 5000;

    const response = await new Promise<GetOrderResponse>((resolve, reject) =>
      orders.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), metadata, { deadline }, (error, value) =>
        error ? reject(error) : resolve(value),
      ),
    );

    expect(response.order?.id).toBe('o-1');
    expect(seen.principal).toEqual({ subject: 'u-1', kind: 'user', roles: ['user'] });
    expect(seen.remaining).toBeGreaterThan(3000);
    expect(seen.remaining).toBeLessThanOrEqual(5000);
    // The server's deadline is the client's plus the time grpc-timeout took to arrive.
    expect(seen.absoluteDeadline).toBeGreaterThan(deadline - 2000);
    expect(seen.absoluteDeadline).toBeLessThan(deadline + 2000);
    expect(seen.requestId).toBe('req-7');
    expect(seen.methodTypes).toEqual(['unary']);
  });

  it('serves a server stream from an Observable', async () => {
    const orders = await serve();
    const messages = await collect(orders.watchOrder(WatchOrderRequest.create({ orderId: 'o-2' })));
    expect(messages.map((message) => message.order?.version)).toEqual(['1', '2', '3']);
    expect(seen.methodTypes).toEqual(['server_stream']);
  });

  it('serves a client stream as an Observable of requests', async () => {
    const orders = await serve();
    const response = await new Promise<ImportOrdersResponse>((resolve, reject) => {
      const upload = orders.importOrders((error, value) => (error ? reject(error) : resolve(value)));
      for (let index = 0; index < 3; index += 1) upload.write(ImportOrdersRequest.create({ order: null }));
      upload.end();
    });
    expect(response.createdCount).toBe(3);
    expect(seen.methodTypes).toEqual(['client_stream']);
  });

  it('serves a bidi stream, answering each request as it arrives', async () => {
    const orders = await serve();
    const stream = orders.trackOrders();
    const received = collect(stream);
    stream.write(TrackOrdersRequest.create({ subscribeOrderId: 'o-3' }));
    stream.write(TrackOrdersRequest.create({ subscribeOrderId: 'o-4' }));
    stream.end();
    expect((await received).map((message) => message.orderId)).toEqual(['o-3', 'o-4']);
    expect(seen.methodTypes).toEqual(['bidi_stream']);
  });

  it('leaves the methods it lacks UNIMPLEMENTED', async () => {
    const orders = await serve();
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      orders.cancelOrder(CancelOrderRequest.create({ orderId: 'o-1', reason: '' }), (failure) =>
        resolve(failure),
      ),
    );
    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
  });
});

describe('a request stream of a @GrpcService controller', () => {
  function importOrders(orders: OrderServiceClient, messages: number, wait: 'end' | 'pause') {
    const metadata = new grpc.Metadata();
    metadata.set('x-wait', wait);
    return new Promise<ImportOrdersResponse>((resolve, reject) => {
      const upload = orders.importOrders(metadata, (error, value) =>
        error ? reject(error) : resolve(value),
      );
      for (let index = 0; index < messages; index += 1)
        upload.write(ImportOrdersRequest.create({ order: null }));
      upload.end();
    });
  }

  it('keeps the messages and the end that came before the handler subscribed, for a client stream', async () => {
    const orders = await serve(LateSubscriber);
    expect((await importOrders(orders, 3, 'end')).createdCount).toBe(3);
  });

  it('pauses a bidi stream while nobody reads, and answers every message once the handler subscribes', async () => {
    const orders = await serve(LateSubscriber);
    const metadata = new grpc.Metadata();
    metadata.set('x-wait', 'pause');
    const stream = orders.trackOrders(metadata);
    const received = collect(stream);
    const ids = Array.from({ length: 40 }, (_, index) => `o-${index}`);
    for (const id of ids) stream.write(TrackOrdersRequest.create({ subscribeOrderId: id }));
    stream.end();
    expect((await received).map((message) => message.orderId)).toEqual(ids);
    expect(pausedBeforeSubscribing).toEqual([true]);
  });

  it('pauses a client stream while nobody reads, and delivers every message once the handler subscribes', async () => {
    const orders = await serve(LateSubscriber);
    expect((await importOrders(orders, 40, 'pause')).createdCount).toBe(40);
    expect(pausedBeforeSubscribing).toEqual([true]);
  });
});

describe('the parameter decorators without contextInterceptor', () => {
  it('fail the call with INTERNAL instead of passing undefined', async () => {
    nest = await startNestGrpcApp({
      controllers: [OrderController],
      interceptors: [],
      filters: [new GrpcExceptionFilter()],
    });
    const orders = new OrderServiceClient(nest.address, grpc.credentials.createInsecure());
    client = orders;
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      orders.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), (failure) => resolve(failure)),
    );
    expect(error?.code).toBe(grpc.status.INTERNAL);
    expect(error?.details).not.toContain('contextInterceptor');
    expect(seen.methodTypes).toEqual([]);
  });
});

describe('@GrpcService types', () => {
  it('rejects a controller whose handler answers the wrong type (checked by tsc)', () => {
    class WrongAnswer {
      getOrder(): number {
        return 1;
      }
    }
    // @ts-expect-error getOrder must answer a GetOrderResponse (or a promise / Observable of one)
    GrpcService(OrderServiceService)(WrongAnswer);
    class WrongStream {
      watchOrder(): WatchOrderResponse {
        return WatchOrderResponse.create({ order: null });
      }
    }
    // @ts-expect-error a server-streaming handler must return an Observable
    GrpcService(OrderServiceService)(WrongStream);
    expect(true).toBe(true);
  });
});
