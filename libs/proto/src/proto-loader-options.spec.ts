import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fixtures from './__fixtures__/contract-messages.js';
import {
  OrderServiceClient,
  UserServiceClient,
  protoFiles,
  protoLoaderOptions,
  platformProtosDir,
  serviceNames,
  type CreateOrderRequest,
  ImportOrdersRequest,
  type TrackOrdersRequest,
  type TrackOrdersResponse,
  WatchOrderRequest,
  WatchOrderResponse,
} from './index.js';

// The server is built the way NestJS builds one: from the .proto files through
// @grpc/proto-loader with protoLoaderOptions. The client is the ts-proto grpc-js client.
// What the server's handlers receive must be exactly the typed object the client sent, and
// what they answer must arrive as exactly the typed object on the client.

type Handlers = Record<string, grpc.UntypedHandleCall>;

/**
 * A message as a proto-loader handler receives it: the members `create()` leaves undefined (unset
 * oneof members and optionals) are left out, as proto-loader does; null (an unset message) stays.
 */
function asReceived<T>(message: T): T {
  if (Array.isArray(message)) return message.map(asReceived) as T;
  if (message === null || typeof message !== 'object') return message;
  return Object.fromEntries(
    Object.entries(message)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, asReceived(value)]),
  ) as T;
}

const received = new Map<string, unknown[]>();
const replies = new Map<string, unknown[]>();

function record(method: string, message: unknown): void {
  received.set(method, [...(received.get(method) ?? []), message]);
}

function repliesFor(method: string): unknown[] {
  return replies.get(method) ?? [];
}

/** A handler per method that records what arrives and answers the configured replies. */
function recordingHandlers(service: grpc.ServiceDefinition): Handlers {
  const handlers: Handlers = {};
  for (const [path, method] of Object.entries(service)) {
    // Keyed like the ts-proto client methods (camelCase), which proto-loader calls originalName.
    const name = method.originalName ?? path;
    if (!method.requestStream && !method.responseStream) {
      handlers[path] = ((
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        record(name, call.request);
        callback(null, repliesFor(name)[0]);
      }) as grpc.UntypedHandleCall;
    } else if (!method.requestStream) {
      handlers[path] = ((call: grpc.ServerWritableStream<unknown, unknown>) => {
        record(name, call.request);
        for (const reply of repliesFor(name)) call.write(reply);
        call.end();
      }) as grpc.UntypedHandleCall;
    } else if (!method.responseStream) {
      handlers[path] = ((
        call: grpc.ServerReadableStream<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        call.on('data', (message) => record(name, message));
        call.on('end', () => callback(null, repliesFor(name)[0]));
      }) as grpc.UntypedHandleCall;
    } else {
      handlers[path] = ((call: grpc.ServerDuplexStream<unknown, unknown>) => {
        call.on('data', (message) => record(name, message));
        call.on('end', () => {
          for (const reply of repliesFor(name)) call.write(reply);
          call.end();
        });
      }) as grpc.UntypedHandleCall;
    }
  }
  return handlers;
}

function unary<Req, Res>(
  invoke: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke(request, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

function collect<T>(
  stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<unknown, T>,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const messages: T[] = [];
    stream.on('data', (message: T) => messages.push(message));
    stream.on('error', reject);
    stream.on('end', () => resolve(messages));
  });
}

let server: grpc.Server;
let users: UserServiceClient;
let orders: OrderServiceClient;

beforeAll(async () => {
  const definition = loadSync(
    [join(platformProtosDir, protoFiles.userService), join(platformProtosDir, protoFiles.orderService)],
    protoLoaderOptions,
  );
  const userService = definition[serviceNames.user] as grpc.ServiceDefinition;
  const orderService = definition[serviceNames.order] as grpc.ServiceDefinition;
  server = new grpc.Server();
  server.addService(userService, recordingHandlers(userService));
  server.addService(orderService, recordingHandlers(orderService));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  users = new UserServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  orders = new OrderServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  users?.close();
  orders?.close();
  server?.forceShutdown();
});

describe('unary calls', () => {
  const cases = [
    {
      method: 'createUser',
      request: { email: 'a@b.c', password: 'correct horse battery', displayName: 'A' },
      reply: { user: fixtures.activeUser },
      call: (req: never) => unary(users.createUser.bind(users), req),
    },
    {
      method: 'authenticate',
      request: fixtures.passwordLogin,
      reply: fixtures.authenticateResponse,
      call: (req: never) => unary(users.authenticate.bind(users), req),
    },
    {
      method: 'authenticate',
      request: fixtures.clientLogin,
      reply: { accessToken: '', expireTime: null, subject: '', roles: [] },
      call: (req: never) => unary(users.authenticate.bind(users), req),
    },
    {
      method: 'getUser',
      request: { userId: fixtures.deactivatedUser.id },
      reply: { user: fixtures.deactivatedUser },
      call: (req: never) => unary(users.getUser.bind(users), req),
    },
    {
      method: 'listUsers',
      request: { pageSize: 0, pageToken: '' },
      reply: { users: [fixtures.activeUser, fixtures.deactivatedUser], nextPageToken: 'next' },
      call: (req: never) => unary(users.listUsers.bind(users), req),
    },
    {
      method: 'updateUser',
      request: fixtures.updateDisplayNameOnly,
      reply: { user: fixtures.activeUser },
      call: (req: never) => unary(users.updateUser.bind(users), req),
    },
    {
      method: 'updateUser',
      request: fixtures.updateRoleOnly,
      reply: { user: null },
      call: (req: never) => unary(users.updateUser.bind(users), req),
    },
    {
      method: 'updateUser',
      request: fixtures.updateNothing,
      reply: { user: fixtures.activeUser },
      call: (req: never) => unary(users.updateUser.bind(users), req),
    },
    {
      method: 'deactivateUser',
      request: { userId: fixtures.deactivatedUser.id, reason: 'fraud' },
      reply: { user: fixtures.deactivatedUser },
      call: (req: never) => unary(users.deactivateUser.bind(users), req),
    },
    {
      method: 'getUserOrderStats',
      request: { userId: fixtures.activeUser.id },
      reply: { stats: fixtures.stats },
      call: (req: never) => unary(users.getUserOrderStats.bind(users), req),
    },
    {
      method: 'createOrder',
      request: fixtures.createOrderRequest,
      reply: { order: fixtures.order },
      call: (req: never) => unary(orders.createOrder.bind(orders), req),
    },
    {
      method: 'getOrder',
      request: { orderId: fixtures.order.id },
      reply: { order: fixtures.order },
      call: (req: never) => unary(orders.getOrder.bind(orders), req),
    },
    {
      method: 'listOrders',
      request: fixtures.listOrdersRequest,
      reply: { orders: [fixtures.order], nextPageToken: '' },
      call: (req: never) => unary(orders.listOrders.bind(orders), req),
    },
    {
      method: 'cancelOrder',
      request: fixtures.cancelOrderRequest,
      reply: { order: fixtures.order },
      call: (req: never) => unary(orders.cancelOrder.bind(orders), req),
    },
    {
      method: 'confirmOrder',
      request: { orderId: fixtures.order.id },
      reply: { order: { ...fixtures.order, createTime: null, updateTime: null, items: [] } },
      call: (req: never) => unary(orders.confirmOrder.bind(orders), req),
    },
  ];

  it.each(cases)(
    '$method: the handler gets the typed request, the client the typed reply',
    async (testCase) => {
      received.delete(testCase.method);
      replies.set(testCase.method, [testCase.reply]);

      const response = await testCase.call(testCase.request as never);

      expect(received.get(testCase.method)).toStrictEqual([asReceived(testCase.request)]);
      expect(response).toStrictEqual(testCase.reply);
    },
  );
});

describe('server streaming: WatchOrder', () => {
  it('delivers every typed message in order', async () => {
    const changes: WatchOrderResponse[] = [
      WatchOrderResponse.create({
        order: { ...fixtures.order, status: fixtures.order.status, version: '1' },
      }),
      WatchOrderResponse.create({ order: fixtures.order }),
      WatchOrderResponse.create({ order: null }),
    ];
    received.delete('watchOrder');
    replies.set('watchOrder', changes);

    const messages = await collect(
      orders.watchOrder(WatchOrderRequest.create({ orderId: fixtures.order.id })),
    );

    expect(received.get('watchOrder')).toStrictEqual([{ orderId: fixtures.order.id }]);
    expect(messages).toStrictEqual(changes);
  });
});

describe('client streaming: ImportOrders', () => {
  it('delivers every typed item and the typed summary', async () => {
    const items: ImportOrdersRequest[] = [
      ImportOrdersRequest.create({ order: fixtures.createOrderRequest }),
      ImportOrdersRequest.create({
        order: { ...fixtures.createOrderRequest, items: [] } satisfies CreateOrderRequest,
      }),
      ImportOrdersRequest.create({ order: null }),
    ];
    received.delete('importOrders');
    replies.set('importOrders', [fixtures.importSummary]);

    const summary = await new Promise((resolve, reject) => {
      const call = orders.importOrders((error, response) => (error ? reject(error) : resolve(response)));
      for (const item of items) call.write(item);
      call.end();
    });

    expect(received.get('importOrders')).toStrictEqual(asReceived(items));
    expect(summary).toStrictEqual(fixtures.importSummary);
  });
});

describe('bidi streaming: TrackOrders', () => {
  it('delivers typed oneof messages both ways', async () => {
    received.delete('trackOrders');
    replies.set('trackOrders', fixtures.trackResponses);

    const call = orders.trackOrders();
    const messages = collect<TrackOrdersResponse>(call);
    for (const request of fixtures.trackRequests satisfies TrackOrdersRequest[]) call.write(request);
    call.end();

    // proto-loader leaves unset oneof members out, ts-proto decodes them as null and create()
    // sets them undefined: all three fit the generated type (`member?: T | null`).
    expect(await messages).toStrictEqual([
      { ...fixtures.trackResponses[0], error: null },
      { ...fixtures.trackResponses[1], order: null },
      { ...fixtures.trackResponses[2], order: null },
    ]);
    expect(received.get('trackOrders')).toStrictEqual(asReceived(fixtures.trackRequests));
  });
});
