import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Folder holding the platform's .proto files (the `protos/` buf module). Resolved from this
 * file, which sits two levels below the lib root in both `src/` and `dist/`.
 */
export const platformProtosDir = join(import.meta.dirname, '..', '..', '..', 'protos');

/** Folder holding the google.rpc / google.protobuf .proto files (google-proto-files package). */
export const googleProtosDir = dirname(
  createRequire(import.meta.url).resolve('google-proto-files/package.json'),
);

/** Include directories for @grpc/proto-loader, protobufjs and grpcurl-style tools. */
export const protoIncludeDirs: readonly string[] = [platformProtosDir, googleProtosDir];

/** Service contracts, relative to {@link platformProtosDir}; the value to pass as `protoPath`. */
export const protoFiles = {
  userService: 'platform/user/v1/user_service.proto',
  userEvents: 'platform/user/v1/user_events.proto',
  orderService: 'platform/order/v1/order_service.proto',
  orderEvents: 'platform/order/v1/order_events.proto',
} as const;

/** Fully qualified service names, as used in gRPC paths, health checks and reflection. */
export const serviceNames = {
  user: 'platform.user.v1.UserService',
  order: 'platform.order.v1.OrderService',
} as const;
