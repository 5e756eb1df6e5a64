import 'reflect-metadata';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Inject } from '@nestjs/common';
import { NotFoundError } from '@platform/core';
import { HealthService, promiseClient } from '@platform/grpc';
import { createTestClient, expectGrpcError } from '@platform/grpc/testing';
import { createMetricsRegistry } from '@platform/observability';
import {
  GetOrderRequest,
  GetOrderResponse,
  Order,
  OrderServiceClient,
  OrderServiceService,
  protoFiles,
} from '@platform/proto';
import { freePort } from '@platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { GrpcService } from './grpc-service.decorator.js';
import { grpcServiceModule } from './grpc-service-module.js';
import { startGrpcApp } from './start-grpc-app.js';

/** What the controller injects: one known order. */
class Shelf {
  order(id: string): Order | undefined {
    return id === 'o-1' ? Order.create({ id, currencyCode: 'EUR' }) : undefined;
  }
}

@GrpcService(OrderServiceService)
class ShelfController {
  constructor(@Inject(Shelf) private readonly shelf: Shelf) {}

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    const order = this.shelf.order(request.orderId);
    if (!order) {
      throw new NotFoundError(`Order ${request.orderId} not found`, {
        resourceType: 'platform.order.v1.Order',
        resourceName: request.orderId,
      });
    }
    return GetOrderResponse.create({ order });
  }
}

describe('grpcServiceModule', () => {
  it('serves its controllers with what they inject, behind the platform exception filter', async () => {
    const app = await startGrpcApp({
      module: grpcServiceModule({
        controllers: [ShelfController],
        providers: [{ provide: Shelf, useValue: new Shelf() }],
      }),
      package: 'platform.order.v1',
      protoPath: protoFiles.orderService,
      host: '127.0.0.1',
      port: await freePort(),
      chain: { errors: { domain: 'test.platform' } },
      health: new HealthService({ services: ['platform.order.v1.OrderService'] }),
      registry: createMetricsRegistry(),
      metricsPort: 0,
    });
    onTestFinished(async () => {
      await app.stop();
    });
    const client = createTestClient(OrderServiceClient, app.address);
    onTestFinished(() => client.close());
    const orders = promiseClient(client);

    const found = await orders.getOrder(GetOrderRequest.create({ orderId: 'o-1' }));
    expect(found.order?.currencyCode).toBe('EUR');
    const missing = await expectGrpcError(
      orders.getOrder(GetOrderRequest.create({ orderId: 'o-2' })),
      GrpcStatus.NOT_FOUND,
    );
    expect(missing.message).toContain('Order o-2 not found');
  });
});
