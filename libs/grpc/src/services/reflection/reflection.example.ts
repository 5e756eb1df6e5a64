// Server reflection, so grpcurl, grpcui and Postman work without the .proto files:
//   grpcurl -plaintext 127.0.0.1:<port> list
//   grpcurl -plaintext 127.0.0.1:<port> describe platform.order.v1.OrderService
import * as grpc from '@grpc/grpc-js';
import { NotFoundError } from '@platform/core';
import { addReflection, HealthService } from '@platform/grpc';
import { OrderServiceService, protoFiles, serviceNames, type GetOrderRequest } from '@platform/proto';

const server = new grpc.Server();
server.addService(OrderServiceService, {
  getOrder: (call: grpc.ServerUnaryCall<GetOrderRequest, unknown>, callback: grpc.sendUnaryData<unknown>) =>
    callback(
      new NotFoundError(`Order ${call.request.orderId} not found`, {
        resourceType: 'platform.order.v1.Order',
        resourceName: call.request.orderId,
      }),
    ),
} as grpc.UntypedServiceImplementation);
new HealthService({ services: [serviceNames.order] }).addToServer(server);
// Describes OrderService (from its .proto, with the platform's loader options) and health.
addReflection(server, protoFiles.orderService);

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  console.log(`try: grpcurl -plaintext 127.0.0.1:${port} list   (Ctrl-C to stop)`);
  process.once('SIGINT', () => server.forceShutdown());
});
