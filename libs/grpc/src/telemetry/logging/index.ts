export { loggingServerInterceptor } from './logging.server-interceptor.js';
export { loggingClientInterceptor } from './logging.client-interceptor.js';
export { defaultMetadataAllowlist } from './call-log-fields.js';
export { defaultCallLogLevel } from './default-call-log-level.js';
export { isSensitiveMetadataKey } from './sensitive-metadata.js';
export type {
  CallLogLevel,
  CallLogLevelFor,
  LoggingClientOptions,
  LoggingInterceptorOptions,
  LoggingServerOptions,
} from './logging-options.js';
