// The four call kinds of platform.order.v1.OrderService, scripted per call, and promise-based
// callers for them: specs of the tracing, metrics and logging interceptors run them on a real
// grpc-js server with the generated ts-proto client.
import {
  credentials,
  Metadata,
  ResponderBuilder,
  ServerListenerBuilder,
  status as GrpcStatus,
  type Interceptor,
  type ServerErrorResponse,
  type ServerInterceptor,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  GetOrderRequest,
  GetOrderResponse,
  ImportOrdersRequest,
  ImportOrdersResponse,
  Order,
  OrderServiceClient,
  OrderStatus,
  TrackOrdersRequest,
  TrackOrdersResponse,
  WatchOrderRequest,
  WatchOrderResponse,
  type OrderServiceServer,
} from '@platform/proto';
import type { MethodType } from '../../../call/method-info.js';
import { createServerInterceptor } from '../../../chain/create-server-interceptor.js';
import type { Principal } from '@platform/core';
import type { PlatformError } from '@platform/core';
import { UnauthenticatedError } from '@platform/core';
import { statusOf } from '../../../call/grpc-error-shape.js';

/** How a scripted handler answers, picked by the `x-scenario` request metadata. */
export type Scenario = 'ok' | 'not-found' | 'crash';
export const scenarioKey = 'x-scenario';

/** Messages each kind exchanges when it succeeds (failed calls send no response message). */
export const okMessages: Record<MethodType, { received: number; sent: number }> = {
  unary: { received: 1, sent: 1 },
  server_stream: { received: 1, sent: 3 },
  client_stream: { received: 2, sent: 1 },
  bidi_stream: { received: 2, sent: 2 },
};

/** The method of each kind, as grpc_method / rpc.method name it. */
export const methodOfKind: Record<MethodType, string> = {
  unary: 'GetOrder',
  server_stream: 'WatchOrder',
  client_stream: 'ImportOrders',
  bidi_stream: 'TrackOrders',
};

export const callKinds: readonly MethodType[] = ['unary', 'server_stream', 'client_stream', 'bidi_stream'];

export function orderOf(id: string): Order {
  return Order.create({
    id,
    userId: 'user-1',
    requestId: `request-${id}`,
    items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: '100' }],
    currencyCode: 'EUR',
    totalMinor: '100',
    status: OrderStatus.ORDER_STATUS_PENDING,
    version: '1',
    createTime: null,
    updateTime: null,
    cancelReason: '',
  });
}

function scenarioOf(metadata: Metadata): Scenario {
  return (metadata.get(scenarioKey)[0] as Scenario | undefined) ?? 'ok';
}

/** The status a scripted failure answers with; `crash` is a plain Error, as a bug would throw. */
function failure(scenario: Scenario): ServerErrorResponse {
  return scenario === 'not-found'
    ? Object.assign(new Error('Order not found'), { code: GrpcStatus.NOT_FOUND, details: 'Order not found' })
    : new Error('Connection to the database was reset');
}

/**
 * Handlers of the four kinds. `onHandle` runs first in each handler (its promise awaited), so
 * specs can look at what the handler sees (active span, call context) or call other services.
 */
export function orderCallsImplementation(
  onHandle: (kind: MethodType) => void | Promise<void> = () => undefined,
): Pick<OrderServiceServer, 'getOrder' | 'watchOrder' | 'importOrders' | 'trackOrders'> {
  return {
    getOrder: (call, callback) => {
      void (async () => {
        await onHandle('unary');
        const scenario = scenarioOf(call.metadata);
        if (scenario === 'ok')
          callback(null, GetOrderResponse.create({ order: orderOf(call.request.orderId) }));
        else callback(failure(scenario));
      })();
    },
    watchOrder: (call) => {
      void (async () => {
        await onHandle('server_stream');
        const scenario = scenarioOf(call.metadata);
        if (scenario !== 'ok') return void call.emit('error', failure(scenario));
        for (let version = 1; version <= 3; version += 1)
          call.write(WatchOrderResponse.create({ order: orderOf(call.request.orderId) }));
        call.end();
      })();
    },
    importOrders: (call, callback) => {
      let count = 0;
      call.on('data', () => (count += 1));
      call.on('end', () => {
        void (async () => {
          await onHandle('client_stream');
          const scenario = scenarioOf(call.metadata);
          if (scenario !== 'ok') return callback(failure(scenario));
          callback(null, ImportOrdersResponse.create({ createdCount: count }));
        })();
      });
    },
    trackOrders: (call) => {
      const scenario = scenarioOf(call.metadata);
      const handled = Promise.resolve(onHandle('bidi_stream'));
      call.on('data', (request: TrackOrdersRequest) => {
        const orderId = request.subscribeOrderId ?? '';
        if (scenario === 'ok')
          void handled.then(() =>
            call.write(TrackOrdersResponse.create({ orderId, order: orderOf(orderId) })),
          );
      });
      call.on('end', () => {
        void handled.then(() => (scenario === 'ok' ? call.end() : call.emit('error', failure(scenario))));
      });
    },
  };
}

export function orderClient(address: string, interceptors: Interceptor[] = []): OrderServiceClient {
  return new OrderServiceClient(address, credentials.createInsecure(), { interceptors });
}

/** How a call ended, as the client saw it. */
export interface CallResult {
  code: GrpcStatus;
  details: string;
  /** Response messages received. */
  messages: number;
}

function metadataFor(scenario: Scenario, extra: Record<string, string | Buffer>): Metadata {
  const metadata = new Metadata();
  metadata.set(scenarioKey, scenario);
  for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
  return metadata;
}

/** Makes one call of the kind, sending the messages of {@link okMessages}, and waits for its end. */
export function callKind(
  client: OrderServiceClient,
  kind: MethodType,
  scenario: Scenario = 'ok',
  extraMetadata: Record<string, string | Buffer> = {},
): Promise<CallResult> {
  const metadata = metadataFor(scenario, extraMetadata);
  return new Promise((resolve) => {
    const unaryDone = (error: ServiceError | null) =>
      resolve(
        error
          ? { code: error.code, details: error.details, messages: 0 }
          : { code: 0, details: 'OK', messages: 1 },
      );
    switch (kind) {
      case 'unary':
        client.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), metadata, unaryDone);
        return;
      case 'client_stream': {
        const stream = client.importOrders(metadata, unaryDone);
        for (const requestId of ['r-1', 'r-2']) {
          stream.write(
            ImportOrdersRequest.create({
              order: { requestId, userId: '', items: [], currencyCode: 'EUR' },
            }),
          );
        }
        stream.end();
        return;
      }
      case 'server_stream':
      case 'bidi_stream': {
        const stream =
          kind === 'server_stream'
            ? client.watchOrder(WatchOrderRequest.create({ orderId: 'o-1' }), metadata)
            : client.trackOrders(metadata);
        let messages = 0;
        stream.on('data', () => (messages += 1));
        stream.on('error', () => undefined); // the status below carries the outcome
        stream.on('status', (status: { code: GrpcStatus; details: string }) =>
          resolve({ code: status.code, details: status.details, messages }),
        );
        if (kind === 'bidi_stream') {
          const duplex = stream as ReturnType<OrderServiceClient['trackOrders']>;
          for (const orderId of ['o-1', 'o-2'])
            duplex.write(TrackOrdersRequest.create({ subscribeOrderId: orderId }));
          duplex.end();
        }
        return;
      }
    }
  });
}

/** Rejects every call before its handler with the error, as auth or rate limiting reject. */
export function rejectWith(error: PlatformError): ServerInterceptor {
  return createServerInterceptor('reject', (_context, wire) => {
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata(() => wire.sendStatus(statusOf(error)))
      .build();
    return new ResponderBuilder().withStart((next) => next(listener)).build();
  });
}

/** Rejects every call UNAUTHENTICATED, the way the auth interceptor rejects a missing token. */
export const rejectEveryCall = rejectWith(
  new UnauthenticatedError('Missing bearer token', { reason: 'TOKEN_MISSING' }),
);

/** Sets the call's principal, as the auth interceptor does once a token is verified. */
export function authenticateAs(principal: Principal): ServerInterceptor {
  return createServerInterceptor('authenticate', (context) => {
    context.principal = principal;
    return undefined;
  });
}
