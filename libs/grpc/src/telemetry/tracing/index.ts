export { tracingServerInterceptor } from './tracing.server-interceptor.js';
export { tracerName } from './rpc-span-reporter.js';
export { tracingClientInterceptor } from './tracing.client-interceptor.js';
export { serverErrorCodes } from './rpc-span-attributes.js';
export type {
  RpcSemanticConventions,
  TracingClientOptions,
  TracingInterceptorOptions,
  TracingServerOptions,
} from './tracing-options.js';
