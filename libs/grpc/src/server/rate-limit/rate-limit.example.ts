// Per-principal rate limiting: each caller gets a token bucket; over the burst the call is
// answered RESOURCE_EXHAUSTED with RetryInfo (when to try again) and QuotaFailure.
import * as grpc from '@grpc/grpc-js';
import {
  ClientError,
  contextInterceptor,
  createClient,
  errorInterceptor,
  rateLimitServerInterceptor,
  unaryCall,
} from '@platform/grpc';
import { GetOrderRequest, GetOrderResponse, OrderServiceClient, OrderServiceService } from '@platform/proto';

const server = new grpc.Server({
  interceptors: [
    contextInterceptor,
    errorInterceptor({ domain: 'order.platform' }),
    rateLimitServerInterceptor({ ratePerSecond: 1, burst: 2 }),
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

// Without auth in front, anonymous callers share a bucket per peer address.
const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`, { interceptors: [] });
for (let call = 1; call <= 3; call += 1) {
  try {
    await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }));
    console.log(`call ${call}: ok`);
  } catch (error) {
    if (error instanceof ClientError)
      console.log(`call ${call}: ${error.reason}, retry in ${error.retryDelayMs} ms`);
  }
}
orders.close();
server.forceShutdown();
