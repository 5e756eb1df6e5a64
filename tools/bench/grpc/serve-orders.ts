import * as grpc from '@grpc/grpc-js';
import { OrderServiceService, type GetOrderRequest, type GetOrderResponse } from '@platform/proto';
import { announce, getOrder } from './bench-order.js';

/** Serves the benchmark's GetOrder on `server`, on a free loopback port, and announces it with `extra`. */
export function serveOrders(server: grpc.Server, extra: Record<string, unknown> = {}): void {
  server.addService(OrderServiceService, {
    getOrder: (
      call: grpc.ServerUnaryCall<GetOrderRequest, GetOrderResponse>,
      callback: grpc.sendUnaryData<GetOrderResponse>,
    ) => callback(null, getOrder(call.request)),
  } as grpc.UntypedServiceImplementation);
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) throw error;
    announce(port, extra);
  });
}
