// Typed client errors: a server throws NotFoundError; the client gets a ClientError with the
// ErrorInfo reason, the ResourceInfo, and the HTTP status a gateway would answer.
import * as grpc from '@grpc/grpc-js';
import { GetOrderRequest, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { NotFoundError } from '@platform/core';
import { ClientError, createClient, unaryCall } from '@platform/grpc';

const server = new grpc.Server();
server.addService(OrderServiceService, {
  // A PlatformError is shaped for grpc-js: code, message and google.rpc details in trailers.
  getOrder: (_call: unknown, callback: grpc.sendUnaryData<unknown>) =>
    callback(
      new NotFoundError(
        'Order o-1 not found',
        { resourceType: 'platform.order.v1.Order', resourceName: 'o-1' },
        { reason: 'ORDER_NOT_FOUND', domain: 'order.platform' },
      ),
    ),
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`);
try {
  await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }));
} catch (error) {
  if (!(error instanceof ClientError)) throw error;
  console.log(error.message); // NOT_FOUND: Order o-1 not found
  console.log(error.domain, error.reason); // order.platform ORDER_NOT_FOUND
  console.log(error.statusDetails.resourceInfo?.resourceName); // o-1
  console.log('HTTP', error.toHttpStatus()); // HTTP 404
}

orders.close();
server.forceShutdown();
