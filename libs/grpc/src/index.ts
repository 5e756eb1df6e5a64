// Public API of @platform/grpc: the interceptor chains on native grpc-js, by side. The vocabulary
// they speak (call scope, errors, page tokens) is @platform/core's; the NestJS adapter is
// @platform/nest.
//
//   call/       what both sides share: method info and selectors, the error shape on the wire
//   chain/      the fixed server and client chains, in their documented order
//   server/     context, deadline, errors, auth, rate limit, validation, UTF-8, shutdown, …
//   client/     channels and clients, deadline propagation, auth, retries, circuit breaker, errors
//   telemetry/  tracing, metrics and logging: one reporter per concern, used by both sides
//   services/   health and reflection
import './call/grpc-error-shape.js';

// Shared by both sides.
export { describeMethod, type MethodInfo, type MethodType } from './call/method-info.js';
export {
  allMethods,
  anyOf,
  infrastructureMethods,
  methodsIn,
  not,
  type MethodSelector,
} from './call/method-selector.js';
export { statusOf } from './call/grpc-error-shape.js';
export { AuthErrorReason } from './call/auth-errors.js';

// The chains.
export { createServerInterceptor } from './chain/create-server-interceptor.js';
export {
  createServerChain,
  describeServerChain,
  serverChainOrder,
  type ServerChainOptions,
  type ServerChainStep,
} from './chain/server-chain.js';
export {
  clientChainOrder,
  createClientChain,
  describeClientChain,
  type ClientChainOptions,
  type ClientChainStep,
} from './chain/client-chain.js';

// The server side.
export { currentCall, type CallContext, type CallOutcome } from './server/context/call-context.js';
export { contextInterceptor } from './server/context/context.interceptor.js';
export { errorInterceptor } from './server/errors/error.interceptor.js';
export type { ErrorInterceptorOptions } from './server/errors/error-options.js';
export { deadlineServerInterceptor } from './server/deadline/deadline.interceptor.js';
export type { DeadlineServerOptions } from './server/deadline/deadline-options.js';
export { validationServerInterceptor, type ValidationServerOptions } from './server/validation/index.js';
export * from './server/auth/index.js';
export * from './server/rate-limit/index.js';
export * from './server/shutdown/index.js';
export * from './server/unimplemented/index.js';
export * from './server/utf8/index.js';
export * from './server/metadata/index.js';
export { connectionAgeOptions, grpcServerVariables } from './server/server-variables.js';

// The client side.
export * from './client/channel/index.js';
export * from './client/auth/index.js';
export * from './client/deadline/index.js';
export * from './client/retry/index.js';
export * from './client/circuit-breaker/index.js';
export * from './client/errors/index.js';

// Telemetry, both sides.
export * from './telemetry/tracing/index.js';
export * from './telemetry/metrics/index.js';
export * from './telemetry/logging/index.js';

// Services every server registers.
export * from './services/health/index.js';
export * from './services/reflection/index.js';
