// Public API of @platform/nest: the NestJS adapter of the platform's gRPC chain (the only lib that imports NestJS).
export { GrpcDeadline, GrpcMetadata, GrpcPrincipal } from './grpc-call.decorators.js';
export { grpcCodeForHttpStatus } from './grpc-code-for-http-status.js';
export { GrpcExceptionFilter } from './grpc-exception.filter.js';
export { GrpcService } from './grpc-service.decorator.js';
export { grpcServiceModule } from './grpc-service-module.js';
export type { NestController, NestHandler, NestReply, ServiceMethodDefinition } from './nest-controller.js';
export type {
  GrpcExceptionFilterOptions,
  PlatformGrpcClientOptions,
  PlatformGrpcServerOptions,
} from './nest-options.js';
export { platformGrpcClientOptions } from './platform-grpc-client-options.js';
export { platformGrpcServerOptions } from './platform-grpc-server-options.js';
export { startGrpcApp, type GrpcApp, type StartGrpcAppOptions } from './start-grpc-app.js';
export {
  PlatformGrpcClients,
  PlatformGrpcModule,
  type PlatformGrpcClient,
  type PlatformGrpcModuleOptions,
} from './platform-grpc.module.js';
