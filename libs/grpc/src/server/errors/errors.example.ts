// Typed errors: a handler throws (or passes to the callback) a platform error; the client
// gets its gRPC code and the google.rpc details, decoded.
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '@platform/core';
import { ClientError, contextInterceptor, createClient, errorInterceptor, unaryCall } from '@platform/grpc';
import {
  GetOrderRequest,
  ListOrdersRequest,
  OrderServiceClient,
  OrderServiceService,
  OrderStatus,
  type GetOrderResponse,
} from '@platform/proto';

const server = new grpc.Server({
  interceptors: [contextInterceptor, errorInterceptor({ domain: 'order.platform' })],
});
server.addService(OrderServiceService, {
  getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) =>
    callback(
      new InvalidArgumentError('order_id must be a UUID', [
        { field: 'order_id', description: 'must be a UUID', reason: 'FORMAT' },
      ]),
    ),
  listOrders: () => {
    throw new Error('a bug: this message never reaches the client');
  },
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`);
for (const call of [
  () => unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'x' })),
  () =>
    unaryCall(
      orders.listOrders.bind(orders),
      ListOrdersRequest.create({
        pageSize: 0,
        pageToken: '',
        status: OrderStatus.ORDER_STATUS_UNSPECIFIED,
        userId: '',
      }),
    ),
]) {
  try {
    await call();
  } catch (error) {
    if (error instanceof ClientError) {
      console.log(
        error.code,
        error.reason,
        error.domain,
        error.statusDetails.badRequest,
        error.toHttpStatus(),
      );
    }
  }
}
orders.close();
server.forceShutdown();
