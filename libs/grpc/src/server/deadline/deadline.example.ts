// Deadlines on the server: calls without one get a default, calls with too little time left
// are refused before the handler runs, and handlers read what is left from the call context.
import * as grpc from '@grpc/grpc-js';
import { remainingMs } from '@platform/core';
import {
  contextInterceptor,
  createClient,
  deadlineServerInterceptor,
  errorInterceptor,
  unaryCall,
} from '@platform/grpc';
import { GetOrderRequest, GetOrderResponse, OrderServiceClient, OrderServiceService } from '@platform/proto';

const server = new grpc.Server({
  interceptors: [
    contextInterceptor,
    errorInterceptor({ domain: 'order.platform' }),
    deadlineServerInterceptor({ minRemainingMs: 50, defaultDeadlineMs: 2_000 }),
  ],
});
server.addService(OrderServiceService, {
  getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
    console.log(`handler has ${remainingMs()} ms left`);
    callback(null, GetOrderResponse.create({ order: null }));
  },
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`);
await unaryCall(
  orders.getOrder.bind(orders),
  GetOrderRequest.create({ orderId: 'o-1' }),
  new grpc.Metadata(),
  {
    deadline: Date.now() + 1_000,
  },
);
await unaryCall(
  orders.getOrder.bind(orders),
  GetOrderRequest.create({ orderId: 'o-1' }),
  new grpc.Metadata(),
  {
    deadline: Date.now() + 20,
  },
).catch((error) => console.log('refused up front:', String(error)));
orders.close();
server.forceShutdown();
