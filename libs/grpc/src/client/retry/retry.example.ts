// Retries from the contract: GetOrder declares NO_SIDE_EFFECTS, so an UNAVAILABLE answer is
// retried (with backoff, within the deadline and the target's retry budget).
import * as grpc from '@grpc/grpc-js';
import { GetOrderRequest, GetOrderResponse, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { createClient, deadlineClientInterceptor, retryClientInterceptor, unaryCall } from '@platform/grpc';

let attempts = 0;
const server = new grpc.Server();
server.addService(OrderServiceService, {
  // A flaky dependency: the first two attempts find it restarting.
  getOrder: (
    call: grpc.ServerUnaryCall<unknown, GetOrderResponse>,
    callback: grpc.sendUnaryData<GetOrderResponse>,
  ) => {
    attempts += 1;
    const previous = call.metadata.get('grpc-previous-rpc-attempts')[0] ?? '0';
    console.log(`attempt ${attempts} (previous attempts: ${String(previous)})`);
    if (attempts <= 2) callback({ code: grpc.status.UNAVAILABLE, details: 'restarting' });
    else callback(null, GetOrderResponse.create({ order: null }));
  },
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`, {
  interceptors: [deadlineClientInterceptor({ defaultDeadlineMs: 2_000 }), retryClientInterceptor()],
});
const response = await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }));
console.log(`answered after ${attempts} attempts:`, response);

orders.close();
server.forceShutdown();
