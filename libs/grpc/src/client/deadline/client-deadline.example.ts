// Deadline propagation: the upstream handler's outgoing call inherits what is left of the
// incoming deadline (minus a margin), and is cancelled with the incoming call.
import * as grpc from '@grpc/grpc-js';
import { GetOrderRequest, GetOrderResponse, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { remainingMs } from '@platform/core';
import { contextInterceptor, createClient, deadlineClientInterceptor, unaryCall } from '@platform/grpc';

type GetOrder = (
  call: grpc.ServerUnaryCall<unknown, GetOrderResponse>,
  callback: grpc.sendUnaryData<GetOrderResponse>,
) => void;

async function serve(getOrder: GetOrder, interceptors: grpc.ServerInterceptor[] = []) {
  const server = new grpc.Server({ interceptors });
  server.addService(OrderServiceService, { getOrder } as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

const downstream = await serve((call, callback) => {
  const deadline = call.getDeadline();
  const budget = (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now();
  console.log(`downstream: ${budget} ms left`);
  callback(null, GetOrderResponse.create({ order: null }));
});

const downstreamClient = createClient(OrderServiceClient, downstream.address, {
  interceptors: [deadlineClientInterceptor({ marginMs: 50 })],
});
// contextInterceptor puts the incoming call (deadline, cancellation) where the client sees it.
const upstream = await serve(
  (_call, callback) => {
    console.log(`upstream: ${remainingMs()} ms left`);
    unaryCall(
      downstreamClient.getOrder.bind(downstreamClient),
      GetOrderRequest.create({ orderId: 'o-1' }),
    ).then(
      (response) => callback(null, response),
      (error: grpc.ServiceError) => callback(error),
    );
  },
  [contextInterceptor],
);

const caller = new OrderServiceClient(upstream.address, grpc.credentials.createInsecure());
await unaryCall(
  caller.getOrder.bind(caller),
  GetOrderRequest.create({ orderId: 'o-1' }),
  new grpc.Metadata(),
  {
    deadline: Date.now() + 1_000,
  },
);

caller.close();
downstreamClient.close();
upstream.server.forceShutdown();
downstream.server.forceShutdown();
