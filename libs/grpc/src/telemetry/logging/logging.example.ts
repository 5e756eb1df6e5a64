// One JSON line per call on each side, at a level chosen by the code: NOT_FOUND is the caller's
// mistake (info), INTERNAL is ours (error, with the error id the client got and the stack).
import { credentials, Metadata, Server, ServerCredentials } from '@grpc/grpc-js';
import {
  contextInterceptor,
  errorInterceptor,
  loggingClientInterceptor,
  loggingServerInterceptor,
} from '@platform/grpc';
import { createLogger } from '@platform/observability';
import {
  GetOrderRequest,
  OrderServiceClient,
  OrderServiceService,
  type OrderServiceServer,
} from '@platform/proto';

const logger = createLogger({ name: 'logging-example' });

const getOrder: OrderServiceServer['getOrder'] = (call, callback) =>
  call.request.orderId === 'o-crash'
    ? callback(new Error('Connection to the database was reset'))
    : callback({ code: 5, details: `Order ${call.request.orderId} not found` });
const server = new Server({
  interceptors: [
    contextInterceptor,
    loggingServerInterceptor({ logger, metadataAllowlist: ['x-request-id'] }),
    errorInterceptor({ domain: 'example.platform' }),
  ],
});
server.addService(OrderServiceService, { getOrder });
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const client = new OrderServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), {
  interceptors: [loggingClientInterceptor({ logger })],
});
for (const orderId of ['o-1', 'o-crash']) {
  const metadata = new Metadata();
  metadata.set('x-request-id', `request-${orderId}`);
  metadata.set('authorization', 'Bearer never-logged');
  await new Promise((resolve) => client.getOrder(GetOrderRequest.create({ orderId }), metadata, resolve));
}

client.close();
server.forceShutdown();
