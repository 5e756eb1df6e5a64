import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { protoLoaderOptions } from '@platform/proto';
import type { PlatformGrpcClientOptions } from './nest-options.js';

/**
 * Nest `ClientsModule` options for calling a gRPC service with the platform's client
 * interceptors (Nest passes `channelOptions` to the grpc-js client constructor, which reads
 * `interceptors` from it) and the loader options matching the ts-proto types.
 *
 * `ClientsModule.register([{ name: USERS, ...platformGrpcClientOptions({...}) }])`
 */
export function platformGrpcClientOptions(options: PlatformGrpcClientOptions): GrpcOptions & {
  transport: Transport.GRPC;
} {
  return {
    transport: Transport.GRPC,
    options: {
      package: options.package,
      protoPath: options.protoPath,
      url: options.url,
      loader: { ...protoLoaderOptions, includeDirs: [...protoLoaderOptions.includeDirs] },
      credentials: options.credentials,
      channelOptions: { ...options.channelOptions, interceptors: [...options.interceptors] },
    },
  };
}
