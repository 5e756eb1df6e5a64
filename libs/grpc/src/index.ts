// Public API of @platform/grpc: the interceptor chains on native grpc-js, health, reflection and
// shutdown. The vocabulary they speak (call scope, errors, page tokens) is @platform/core's; the
// NestJS adapter is @platform/nest.
import './errors/grpc-error-shape.js';

export { describeMethod, type MethodInfo, type MethodType } from './call/method-info.js';
export { currentCall, type CallContext, type CallOutcome } from './context/call-context.js';
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
export { errorInterceptor } from './errors/error.interceptor.js';
export type { ErrorInterceptorOptions } from './errors/error-options.js';
export { deadlineServerInterceptor } from './deadline/deadline.interceptor.js';
export type { DeadlineServerOptions } from './deadline/deadline-options.js';
export { validationServerInterceptor, type ValidationServerOptions } from './validation/index.js';
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
export * from './utf8/index.js';
export * from './metadata/index.js';
