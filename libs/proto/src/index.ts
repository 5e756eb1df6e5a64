// Public API of @platform/proto: every generated message, enum and grpc-js service/client of
// the platform contracts and the google.rpc error model, plus what runtime loading needs.
export * from './gen/index.platform.user.v1.js';
export * from './gen/index.platform.order.v1.js';
export * from './gen/index.google.rpc.js';
export * from './gen/index.google.protobuf.js';
export { protoLoaderOptions } from './proto-loader-options.js';
export {
  googleProtosDir,
  platformProtosDir,
  protoFiles,
  protoIncludeDirs,
  serviceNames,
} from './proto-paths.js';
export { descriptorsDir, platformFileDescriptors } from './file-descriptors.js';
export { fromTimestamp, toTimestamp } from './timestamp.js';
export { orderCancelled, orderConfirmed, orderCreated, orderEventsTopic } from './events/order-events.js';
export { userCreated, userDeactivated, userEventsTopic } from './events/user-events.js';
export { platformEventTypes, platformTopics } from './events/platform-events.js';
export {
  decodeStatus,
  encodeStatus,
  fitStatus,
  statusDetailsKey,
  statusDetailTypeNames,
  statusFromMetadata,
  type DecodedStatus,
  type ErrorDetails,
} from './status-details.js';
export {
  idempotencyLevelOf,
  registerIdempotencyLevels,
  type IdempotencyLevel,
} from './method-idempotency.js';
