// A NestJS gRPC service on the platform: native grpc-js interceptors, typed controllers from
// the ts-proto definitions, errors mapped to gRPC codes, health, reflection, graceful shutdown.
import 'reflect-metadata';
import type { Server } from '@grpc/grpc-js';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NotFoundError, PermissionDeniedError, type Principal } from '@platform/core';
import {
  contextInterceptor,
  errorInterceptor,
  gracefulShutdown,
  HealthService,
  InFlightCalls,
  shutdownInterceptor,
} from '@platform/grpc';
import {
  GrpcDeadline,
  GrpcExceptionFilter,
  GrpcPrincipal,
  GrpcService,
  platformGrpcServerOptions,
  type NestController,
} from '@platform/nest';
import {
  OrderServiceService,
  protoFiles,
  serviceNames,
  type GetOrderRequest,
  type GetOrderResponse,
} from '@platform/proto';

@GrpcService(OrderServiceService)
class OrderController implements Pick<NestController<typeof OrderServiceService>, 'getOrder'> {
  async getOrder(
    request: GetOrderRequest,
    @GrpcPrincipal() principal: Principal | undefined,
    @GrpcDeadline() remainingMs: number,
  ): Promise<GetOrderResponse> {
    if (!principal) throw new PermissionDeniedError('Sign in to read orders');
    console.log(`GetOrder ${request.orderId} for ${principal.subject}, ${remainingMs} ms left`);
    throw new NotFoundError(`Order ${request.orderId} not found`, {
      resourceType: 'platform.order.v1.Order',
      resourceName: request.orderId,
    });
  }
}

@Module({ controllers: [OrderController] })
class AppModule {}

const inFlight = new InFlightCalls();
const health = new HealthService({ services: [serviceNames.order] });
let grpcServer: Server | undefined;

const app = await NestFactory.createMicroservice(
  AppModule,
  platformGrpcServerOptions({
    package: 'platform.order.v1',
    protoPath: protoFiles.orderService,
    url: '127.0.0.1:50051',
    // In a service, createServerChain() builds this list.
    interceptors: [
      contextInterceptor,
      errorInterceptor({ domain: 'order.platform' }),
      shutdownInterceptor(inFlight),
    ],
    health,
    onServer: (server) => (grpcServer = server),
  }),
);
app.useGlobalFilters(new GrpcExceptionFilter());
await app.listen();
await health.start();

process.once('SIGTERM', async () => {
  if (grpcServer) await gracefulShutdown(grpcServer, { inFlight, health });
  await app.close();
});
