import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { protoLoaderOptions } from '@platform/proto';
import type { PlatformGrpcClientOptions, PlatformGrpcServerOptions } from './nest-options.js';

/**
 * Nest gRPC transport options shared by servers and clients: the loader options matching the
 * ts-proto types, and the platform's interceptors in `channelOptions`, where grpc-js reads them.
 */
export function grpcTransportOptions(options: PlatformGrpcServerOptions | PlatformGrpcClientOptions) {
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
  } satisfies GrpcOptions & { transport: Transport.GRPC };
}
