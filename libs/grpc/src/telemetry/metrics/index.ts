export { metricsServerInterceptor } from './metrics.server-interceptor.js';
export { metricsClientInterceptor } from './metrics.client-interceptor.js';
export { defaultHandlingSecondsBuckets } from './grpc-metrics.js';
export type {
  MetricsClientOptions,
  MetricsInterceptorOptions,
  MetricsServerOptions,
} from './metrics-options.js';
