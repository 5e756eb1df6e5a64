import 'reflect-metadata';
import type { ServerInterceptor } from '@grpc/grpc-js';
import type { CanActivate, ExceptionFilter, INestMicroservice, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { protoFiles } from '@platform/proto';
import { freePort } from '@platform/testing';
import type { PlatformGrpcServerOptions } from '../nest-options.js';
import { platformGrpcServerOptions } from '../platform-grpc-server-options.js';

export interface NestGrpcApp {
  readonly app: INestMicroservice;
  readonly address: string;
  close(): Promise<void>;
}

/** Starts a Nest gRPC microservice serving platform.order.v1 from the controllers given. */
export async function startNestGrpcApp(options: {
  controllers: Type[];
  providers?: Provider[];
  interceptors: ServerInterceptor[];
  filters?: ExceptionFilter[];
  guards?: CanActivate[];
  server?: Partial<PlatformGrpcServerOptions>;
}): Promise<NestGrpcApp> {
  const moduleRef = await Test.createTestingModule({
    controllers: options.controllers,
    providers: options.providers ?? [],
  }).compile();
  const address = `127.0.0.1:${await freePort()}`;
  const app = moduleRef.createNestMicroservice({
    ...platformGrpcServerOptions({
      package: 'platform.order.v1',
      protoPath: protoFiles.orderService,
      url: address,
      interceptors: options.interceptors,
      ...options.server,
    }),
    logger: false,
  });
  if (options.filters?.length) app.useGlobalFilters(...options.filters);
  if (options.guards?.length) app.useGlobalGuards(...options.guards);
  await app.listen();
  return { app, address, close: () => app.close() };
}
