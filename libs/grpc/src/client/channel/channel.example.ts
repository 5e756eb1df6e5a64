// Clients on shared channels: one HTTP/2 connection per target, whatever the number of
// clients, with keepalive and message limits set; unaryCall turns a call into a promise.
import * as grpc from '@grpc/grpc-js';
import {
  GetOrderRequest,
  GetUserRequest,
  OrderServiceClient,
  OrderServiceService,
  UserServiceClient,
} from '@platform/proto';
import { ClientError, createClient, deadlineClientInterceptor, unaryCall } from '@platform/grpc';

const server = new grpc.Server();
server.addService(OrderServiceService, {
  getOrder: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, { order: null }),
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);
const target = `127.0.0.1:${port}`;

const interceptors = [deadlineClientInterceptor()];
const orders = createClient(OrderServiceClient, target, { interceptors });
const users = createClient(UserServiceClient, target, { interceptors });
console.log('one channel for both clients:', orders.getChannel() === users.getChannel());

console.log(
  'GetOrder:',
  await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' })),
);
try {
  // This server does not implement UserService.
  await unaryCall(users.getUser.bind(users), GetUserRequest.create({ userId: 'u-1' }));
} catch (error) {
  if (error instanceof ClientError) console.log(`GetUser: ${error.message}, HTTP ${error.toHttpStatus()}`);
}

orders.close();
users.close(); // the last client of the target closes the channel
server.forceShutdown();
