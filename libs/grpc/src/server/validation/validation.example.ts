// Request validation: a validator per method answers INVALID_ARGUMENT with field violations
// before the handler sees a bad request.
import * as grpc from '@grpc/grpc-js';
import { type RequestValidator } from '@platform/core';
import {
  ClientError,
  contextInterceptor,
  createClient,
  errorInterceptor,
  unaryCall,
  validationServerInterceptor,
} from '@platform/grpc';
import { GetOrderRequest, GetOrderResponse, OrderServiceClient, OrderServiceService } from '@platform/proto';

const getOrderRequest: RequestValidator<GetOrderRequest> = (request) =>
  /^[0-9a-f-]{36}$/.test(request.orderId)
    ? []
    : [{ field: 'order_id', description: 'must be a UUID', reason: 'FORMAT' }];

const server = new grpc.Server({
  interceptors: [
    contextInterceptor,
    errorInterceptor({ domain: 'order.platform' }),
    validationServerInterceptor({
      validators: { '/platform.order.v1.OrderService/GetOrder': getOrderRequest as RequestValidator },
    }),
  ],
});
server.addService(OrderServiceService, {
  getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) =>
    callback(null, GetOrderResponse.create({ order: null })),
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`);
try {
  await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'nope' }));
} catch (error) {
  if (error instanceof ClientError) console.log(error.code, error.statusDetails.badRequest?.fieldViolations);
}
orders.close();
server.forceShutdown();
