// Public API of @platform/grpc (framework-agnostic core; the NestJS adapter is @platform/grpc/nest).
export { describeMethod, type MethodInfo, type MethodType } from './call/method-info.js';
export {
  callStorage,
  currentCall,
  remainingMs,
  type CallContext,
  type CallOutcome,
  type Principal,
} from './context/call-context.js';
export { contextInterceptor } from './context/context.interceptor.js';
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
export {
  allMethods,
  anyOf,
  infrastructureMethods,
  methodsIn,
  not,
  type MethodSelector,
} from './selector/method-selector.js';
export {
  durationFromMs,
  msFromDuration,
  PlatformError,
  type PlatformErrorOptions,
} from './errors/platform-error.js';
export {
  AbortedError,
  AlreadyExistsError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
  type FieldViolation,
  type PreconditionViolation,
  type QuotaViolation,
  type ResourceRef,
} from './errors/platform-errors.js';
export { toPlatformError } from './errors/to-platform-error.js';
export { errorInterceptor } from './errors/error.interceptor.js';
export type { ErrorInterceptorOptions } from './errors/error-options.js';
export { deadlineServerInterceptor } from './deadline/deadline.interceptor.js';
export type { DeadlineServerOptions } from './deadline/deadline-options.js';
export {
  invalidRequestError,
  validationServerInterceptor,
  type RequestValidator,
  type ValidationServerOptions,
} from './validation/index.js';
export * from './auth/index.js';
export * from './rate-limit/index.js';
export * from './channel/index.js';
export * from './client-deadline/index.js';
export * from './retry/index.js';
export * from './circuit-breaker/index.js';
export * from './client-errors/index.js';
export * from './tracing/index.js';
export * from './metrics/index.js';
export * from './logging/index.js';
export * from './health/index.js';
export * from './reflection/index.js';
export * from './shutdown/index.js';
export * from './unimplemented/index.js';
export * from './pagination/index.js';
export * from './utf8/index.js';
export * from './metadata/index.js';
