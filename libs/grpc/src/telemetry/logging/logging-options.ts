import type { Logger } from '@platform/observability';
import type { MethodInfo } from '../../call/method-info.js';
import type { MethodSelector } from '../../call/method-selector.js';

/** The level a call's line is written at; `silent` writes none. */
export type CallLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Chooses the level of a call's line from its final code. */
export type CallLogLevelFor = (code: number, method: MethodInfo) => CallLogLevel;

/** Options shared by the server and client logging interceptors. */
export interface LoggingInterceptorOptions {
  /** Where the call lines go (`createLogger` from @platform/observability). Required. */
  logger: Logger;
  /**
   * Level of each call's line. Defaults to {@link defaultCallLogLevel}: info for OK and the
   * caller's mistakes, warn for overload and transient failures, error for server faults.
   */
  levelFor?: CallLogLevelFor;
  /**
   * Request metadata keys logged (lower-cased) under `grpc.request.metadata`. `authorization`,
   * cookies and `-bin` keys are never logged, even when listed.
   * Defaults to `['user-agent', 'x-request-id']`.
   */
  metadataAllowlist?: readonly string[];
  /** Methods to log. Defaults to every method. */
  selector?: MethodSelector;
}

/** Options of {@link loggingServerInterceptor}. */
export type LoggingServerOptions = LoggingInterceptorOptions;

/** Options of {@link loggingClientInterceptor}. */
export type LoggingClientOptions = LoggingInterceptorOptions;
