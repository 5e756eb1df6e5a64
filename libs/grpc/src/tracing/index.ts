export { tracingServerInterceptor, tracerName } from './tracing.server-interceptor.js';
export { tracingClientInterceptor } from './tracing.client-interceptor.js';
export { serverErrorCodes } from './rpc-span-attributes.js';
export type {
  RpcSemanticConventions,
  TracingClientOptions,
  TracingInterceptorOptions,
  TracingServerOptions,
} from './tracing-options.js';
