import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import type { GrpcOptions, Transport } from '@nestjs/microservices';
import { grpcTransportOptions } from './grpc-transport-options.js';
import { addReflection, keepRepeatedMetadata, utf8Checked, utf8CheckedPackage } from '@platform/grpc';
import type { PlatformGrpcServerOptions } from './nest-options.js';

/**
 * Nest microservice options for a gRPC server built the platform's way: .proto files loaded
 * with `protoLoaderOptions` (so handlers get exactly the ts-proto types), the platform's native
 * grpc-js server interceptors (Nest hands `channelOptions` to `new grpc.Server(...)`, and grpc-js
 * reads `interceptors` from it), health and reflection served next to the application's
 * services. Every service, health and reflection included, is added with `utf8Checked`
 * request deserializers (the chain's utf8 step refuses invalid UTF-8), and repeated metadata
 * reaches the interceptors as several values (`keepRepeatedMetadata`).
 *
 * `NestFactory.createMicroservice(AppModule, platformGrpcServerOptions({...}))`
 */
export function platformGrpcServerOptions(options: PlatformGrpcServerOptions): GrpcOptions & {
  transport: Transport.GRPC;
} {
  const { protoPath, loader, ...base } = grpcTransportOptions(options).options;
  return {
    transport: grpcTransportOptions(options).transport,
    options: {
      ...base,
      packageDefinition: utf8CheckedPackage(loadSync(protoPath, loader)),
      // Nest calls this with the bound server before adding the application's services.
      onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
        keepRepeatedMetadata(server);
        const checked = {
          addService: (service, implementation) => server.addService(utf8Checked(service), implementation),
        } satisfies Pick<Server, 'addService'>;
        if (options.reflection !== false) addReflection(checked, definition, options.reflection);
        options.health?.addToServer(checked);
        options.onServer?.(server);
      },
    },
  };
}
