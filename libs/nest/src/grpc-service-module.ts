import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { PlatformGrpcModule } from './platform-grpc.module.js';

/** The root module of a service's Nest application (one per application). */
@Module({})
class GrpcServiceModule {}

/**
 * The Nest application of one service: its `@GrpcService` controllers and the objects they
 * inject (`{ provide: OrderDomain, useValue: domain }`), with {@link PlatformGrpcModule} and
 * so the platform's exception filter. What `startGrpcApp` takes as `module`.
 */
export function grpcServiceModule(parts: { controllers: Type[]; providers?: Provider[] }): DynamicModule {
  return {
    module: GrpcServiceModule,
    imports: [PlatformGrpcModule.forRoot()],
    controllers: parts.controllers,
    providers: parts.providers ?? [],
  };
}
