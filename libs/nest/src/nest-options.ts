import type {
  ChannelCredentials,
  ChannelOptions,
  Interceptor,
  Server,
  ServerCredentials,
  ServerInterceptor,
} from '@grpc/grpc-js';
import type { HealthService, ReflectionOptions } from '@platform/grpc';

/** Options of {@link platformGrpcServerOptions}. */
export interface PlatformGrpcServerOptions {
  /** Proto package(s) whose services Nest serves, `platform.order.v1`. */
  package: string | string[];
  /** .proto file(s), relative to the platform's include dirs (`protoFiles.orderService`). */
  protoPath: string | string[];
  /** Address to listen on, `0.0.0.0:50051`. */
  url: string;
  /** The server chain, wire side first (`createServerChain(...)`): native grpc-js interceptors. */
  interceptors: readonly ServerInterceptor[];
  /** Defaults to insecure (TLS terminated by the mesh or ingress). */
  credentials?: ServerCredentials;
  /** Further grpc-js server options (message size limits, keepalive …). Defaults to none. */
  channelOptions?: ChannelOptions;
  /** Serves grpc.health.v1 from this service. Defaults to none. */
  health?: HealthService;
  /**
   * Serves server reflection (v1 and v1alpha) for the loaded package, with these options, or not
   * at all when false. Defaults to `{}`: on, describing health too.
   */
  reflection?: ReflectionOptions | false;
  /**
   * Receives the grpc-js server once Nest created and bound it: where `gracefulShutdown` and
   * `auditUnimplemented` get it. Defaults to none.
   */
  onServer?: (server: Server) => void;
}

/** Options of {@link platformGrpcClientOptions}. */
export interface PlatformGrpcClientOptions {
  /** Proto package(s) of the services to call, `platform.user.v1`. */
  package: string | string[];
  /** .proto file(s), relative to the platform's include dirs (`protoFiles.userService`). */
  protoPath: string | string[];
  /** Target, `dns:///user-service:50051`. */
  url: string;
  /** The client chain, application side first (`createClientChain(...)`): native grpc-js interceptors. */
  interceptors: readonly Interceptor[];
  /** Defaults to insecure. */
  credentials?: ChannelCredentials;
  /** Further grpc-js channel options (service config, keepalive …). Defaults to none. */
  channelOptions?: ChannelOptions;
}

/** Options of {@link GrpcExceptionFilter}. */
export interface GrpcExceptionFilterOptions {
  /** Produces ids for INTERNAL errors. Defaults to `crypto.randomUUID`. */
  newErrorId?: () => string;
}
