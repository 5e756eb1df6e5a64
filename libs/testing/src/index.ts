// Public API of @platform/testing: harnesses shared by the workspace's tests.
export {
  startGrpcServer,
  type RunningGrpcServer,
  type ServedService,
  type StartGrpcServerOptions,
} from './start-grpc-server.js';
