import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import { ClientProxyFactory, type ClientGrpc } from '@nestjs/microservices';
import {
  GetOrderRequest,
  GetOrderResponse,
  OrderServiceService,
  OrderStatus,
  protoFiles,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { lastValueFrom, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { platformGrpcClientOptions } from './platform-grpc-client-options.js';

/** The Observable API Nest's ClientGrpc gives for OrderService.GetOrder. */
interface OrderServiceNestClient {
  getOrder(request: GetOrderRequest): Observable<GetOrderResponse>;
}

/** A client interceptor that tags every call's metadata. */
const tagCalls: grpc.Interceptor = (options, nextCall) =>
  new grpc.InterceptingCall(nextCall(options), {
    start: (metadata, listener, next) => {
      metadata.set('x-client-chain', 'platform');
      next(metadata, listener);
    },
  });

const order: GetOrderResponse = GetOrderResponse.create({
  order: {
    id: 'o-1',
    userId: 'u-1',
    requestId: 'r-1',
    items: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: '9007199254740993' }],
    currencyCode: 'EUR',
    totalMinor: '18014398509481986',
    status: OrderStatus.ORDER_STATUS_CONFIRMED,
    version: '3',
    createTime: { seconds: '1700000000', nanos: 5 },
    updateTime: null,
    cancelReason: '',
  },
});

let server: RunningGrpcServer | undefined;
let nestClient: (ClientGrpc & { close(): unknown }) | undefined;

afterEach(async () => {
  nestClient?.close();
  await server?.stop();
  server = nestClient = undefined;
});

describe('a Nest gRPC client built with platformGrpcClientOptions', () => {
  it('runs the client interceptors on its calls and gets the ts-proto typed objects', async () => {
    const tags: string[] = [];
    server = await startGrpcServer({
      services: [
        {
          definition: OrderServiceService,
          implementation: {
            getOrder: (
              call: grpc.ServerUnaryCall<GetOrderRequest, GetOrderResponse>,
              callback: grpc.sendUnaryData<GetOrderResponse>,
            ) => {
              tags.push(String(call.metadata.get('x-client-chain')[0]));
              callback(null, order);
            },
          } as unknown as grpc.UntypedServiceImplementation,
        },
      ],
    });
    nestClient = ClientProxyFactory.create(
      platformGrpcClientOptions({
        package: 'platform.order.v1',
        protoPath: protoFiles.orderService,
        url: server.address,
        interceptors: [tagCalls],
      }),
    ) as unknown as ClientGrpc & { close(): unknown };

    const orders = nestClient.getService<OrderServiceNestClient>('OrderService');
    const response = await lastValueFrom(orders.getOrder(GetOrderRequest.create({ orderId: 'o-1' })));

    expect(tags).toEqual(['platform']);
    expect(response).toEqual(order);
  });
});
