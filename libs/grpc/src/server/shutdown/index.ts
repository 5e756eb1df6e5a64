export { gracefulShutdown } from './graceful-shutdown.js';
export { InFlightCalls, type InFlightCounts } from './in-flight-calls.js';
export { shutdownInterceptor, shuttingDownError } from './shutdown.interceptor.js';
export type {
  GracefulShutdownOptions,
  ShutdownResult,
  ShutdownStep,
  ShutdownStepName,
} from './shutdown-options.js';
