import type { GrpcOptions, Transport } from '@nestjs/microservices';
import { grpcTransportOptions } from './grpc-transport-options.js';
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
  return grpcTransportOptions(options);
}
