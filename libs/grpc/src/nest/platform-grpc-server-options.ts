import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import type { GrpcOptions, Transport } from '@nestjs/microservices';
import { grpcTransportOptions } from './grpc-transport-options.js';
import { addReflection } from '../reflection/add-reflection.js';
import type { PlatformGrpcServerOptions } from './nest-options.js';

/**
 * Nest microservice options for a gRPC server built the platform's way: .proto files loaded
 * with `protoLoaderOptions` (so handlers get exactly the ts-proto types), the platform's native
 * grpc-js server interceptors (Nest hands `channelOptions` to `new grpc.Server(...)`, and grpc-js
 * reads `interceptors` from it), health and reflection served next to the application's
 * services.
 *
 * `NestFactory.createMicroservice(AppModule, platformGrpcServerOptions({...}))`
 */
export function platformGrpcServerOptions(options: PlatformGrpcServerOptions): GrpcOptions & {
  transport: Transport.GRPC;
} {
  const base = grpcTransportOptions(options);
  return {
    ...base,
    options: {
      ...base.options,
      // Nest calls this with the bound server before adding the application's services.
      onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
        if (options.reflection !== false) addReflection(server, definition, options.reflection);
        options.health?.addToServer(server);
        options.onServer?.(server);
      },
    },
  };
}
