// Invalid UTF-8: a plain grpc-js server adds its services through utf8Checked, and the chain's
// utf8 step answers a request whose strings are not UTF-8 with INVALID_ARGUMENT naming the field.
import * as grpc from '@grpc/grpc-js';
import { createServerChain, keepRepeatedMetadata, utf8Checked } from '@platform/grpc';
import { CancelOrderResponse, OrderServiceService, statusFromMetadata } from '@platform/proto';

const server = new grpc.Server({ interceptors: createServerChain({ errors: { domain: 'order.platform' } }) });
server.addService(utf8Checked(OrderServiceService), {
  cancelOrder: (_call: unknown, callback: grpc.sendUnaryData<CancelOrderResponse>) =>
    callback(null, CancelOrderResponse.create({ order: null })),
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);
// Repeated metadata (two authorization values) reaches the interceptors as several values.
keepRepeatedMetadata(server);

// CancelOrderRequest { order_id: "a", reason: 0xC3 0x28 }, sent as bytes: no generated client writes it.
const request = Buffer.from([0x0a, 0x01, 0x61, 0x12, 0x02, 0xc3, 0x28]);
const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const identity = (bytes: Buffer) => bytes;
client.makeUnaryRequest(OrderServiceService.cancelOrder.path, identity, identity, request, (error) => {
  // 3 [ { field: 'reason', description: 'must be valid UTF-8', reason: 'INVALID_UTF8', ... } ]
  console.log(error?.code, statusFromMetadata(error?.metadata)?.details.badRequest?.fieldViolations);
  client.close();
  server.forceShutdown();
});
