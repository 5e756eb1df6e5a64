import type { ServerInterceptor } from '@grpc/grpc-js';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import { callLogReporter } from './call-log-reporter.js';
import type { LoggingServerOptions } from './logging-options.js';

/**
 * Server logging interceptor: one structured line per call, when it ends ({@link callLogReporter}),
 * with the trace and span ids of the call's server span, the principal's subject, and for server
 * faults the error id the client was given plus the original error with its stack (which never
 * leaves the server). It sits after tracing (for the ids) and before errors, auth and rate
 * limiting, so it logs the final code of every call, rejected ones included.
 */
export function loggingServerInterceptor(options: LoggingServerOptions): ServerInterceptor {
  const report = callLogReporter(options, 'server');

  return createServerInterceptor(
    'logging',
    (context) => {
      context.onEnd((outcome) =>
        report({
          method: context.method,
          code: outcome.code,
          details: outcome.details,
          startedAt: context.startedAt,
          peer: context.peer,
          metadata: context.metadata,
          trace: context.trace,
          principal: context.principal,
          errorId: context.errorId,
          error: context.error,
        }),
      );
      return undefined;
    },
    options.selector,
  );
}
