// Public API of @platform/proto: every generated message, enum and grpc-js service/client of
// the platform contracts and the google.rpc error model, plus what runtime loading needs.
export * from './gen/index.platform.user.v1';
export * from './gen/index.platform.order.v1';
export * from './gen/index.google.rpc';
export * from './gen/index.google.protobuf';
export { protoLoaderOptions } from './proto-loader-options';
export {
  googleProtosDir,
  platformProtosDir,
  protoFiles,
  protoIncludeDirs,
  serviceNames,
} from './proto-paths';
export { fromTimestamp, toTimestamp } from './timestamp';
