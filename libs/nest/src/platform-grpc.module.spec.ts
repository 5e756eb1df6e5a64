import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import { Inject, NotFoundException, type INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  GetOrderRequest,
  OrderServiceClient,
  OrderServiceService,
  protoFiles,
  statusFromMetadata,
  type GetOrderResponse,
} from '@platform/proto';
import { freePort, startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientError, contextInterceptor, errorInterceptor, unaryCall } from '@platform/grpc';
import { GrpcService } from './grpc-service.decorator.js';
import { PlatformGrpcModule } from './platform-grpc.module.js';
import { platformGrpcServerOptions } from './platform-grpc-server-options.js';

const DOWNSTREAM = Symbol('DOWNSTREAM');

@GrpcService(OrderServiceService)
class RelayController {
  constructor(@Inject(DOWNSTREAM) private readonly downstream: OrderServiceClient) {}

  // Not found here (an HttpException, mapped by the module's global filter), else relayed.
  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    if (request.orderId === 'missing') throw new NotFoundException('no such order');
    return unaryCall(this.downstream.getOrder.bind(this.downstream), request);
  }
}

let downstream: RunningGrpcServer | undefined;
let app: INestMicroservice | undefined;
let caller: OrderServiceClient | undefined;

afterEach(async () => {
  caller?.close();
  await app?.close();
  await downstream?.stop();
  app = downstream = caller = undefined;
});

async function startRelay() {
  downstream = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          getOrder: (
            call: grpc.ServerUnaryCall<GetOrderRequest, unknown>,
            callback: grpc.sendUnaryData<unknown>,
          ) => callback(null, { order: { ...emptyOrder, id: call.request.orderId } }),
        } as grpc.UntypedServiceImplementation,
      },
    ],
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      PlatformGrpcModule.forRoot({
        clients: [{ provide: DOWNSTREAM, client: OrderServiceClient, target: downstream.address }],
      }),
    ],
    controllers: [RelayController],
  }).compile();
  const address = `127.0.0.1:${await freePort()}`;
  app = moduleRef.createNestMicroservice({
    ...platformGrpcServerOptions({
      package: 'platform.order.v1',
      protoPath: protoFiles.orderService,
      url: address,
      interceptors: [contextInterceptor, errorInterceptor({ domain: 'test.platform' })],
    }),
    logger: false,
  });
  await app.listen();
  caller = new OrderServiceClient(address, grpc.credentials.createInsecure());
  return { caller, injected: app.get<OrderServiceClient>(DOWNSTREAM) };
}

const emptyOrder = {
  id: '',
  userId: '',
  requestId: '',
  items: [],
  currencyCode: '',
  totalMinor: '0',
  status: 'ORDER_STATUS_PENDING',
  version: '0',
  createTime: null,
  updateTime: null,
  cancelReason: '',
};

describe('PlatformGrpcModule.forRoot', () => {
  it('provides a typed client that reaches its target', async () => {
    const { caller: orders } = await startRelay();
    const response = await unaryCall(
      orders.getOrder.bind(orders),
      GetOrderRequest.create({ orderId: 'o-7' }),
    );
    expect(response.order?.id).toBe('o-7');
  });

  it('maps handler exceptions with the global filter, without @UseFilters', async () => {
    const { caller: orders } = await startRelay();
    const error = await unaryCall(
      orders.getOrder.bind(orders),
      GetOrderRequest.create({ orderId: 'missing' }),
    ).then(
      () => undefined,
      (caught: ClientError) => caught,
    );
    expect(error?.code).toBe(grpc.status.NOT_FOUND);
    expect(statusFromMetadata(error?.metadata)?.details.errorInfo?.domain).toBe('test.platform');
  });

  it('closes its clients when the application shuts down', async () => {
    const { injected } = await startRelay();
    await app?.close();
    app = undefined;
    const error = await unaryCall(
      injected.getOrder.bind(injected),
      GetOrderRequest.create({ orderId: 'o-1' }),
    ).catch((caught: unknown) => caught);
    // Had it stayed open, the call would have succeeded: the downstream server is still up.
    expect(String(error)).toMatch(/closed|shut ?down/i);
  });
});
