import type { ServerInterceptor } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { createServerInterceptor } from '../chain/create-server-interceptor.js';
import {
  defaultMetadataAllowlist,
  durationMs,
  isFault,
  metadataFields,
  methodFields,
  statusFields,
} from './call-log-fields.js';
import { defaultCallLogLevel } from './default-call-log-level.js';
import type { LoggingServerOptions } from './logging-options.js';
import { recordableMetadataKeys } from './sensitive-metadata.js';

/**
 * Server logging interceptor: one structured line per call, when it ends, with the method, the
 * final code by name, the duration, the peer, the trace and span ids of the call's server span,
 * the principal's subject, allowlisted request metadata, and for server faults the error id the
 * client was given plus the original error with its stack (which never leaves the server).
 * It sits after tracing (for the ids) and before errors, auth and rate limiting, so it logs the
 * final code of every call, rejected ones included.
 */
export function loggingServerInterceptor(options: LoggingServerOptions): ServerInterceptor {
  const levelFor = options.levelFor ?? defaultCallLogLevel;
  const metadataKeys = recordableMetadataKeys(options.metadataAllowlist ?? defaultMetadataAllowlist);

  return createServerInterceptor(
    'logging',
    (context) => {
      context.onEnd((outcome) => {
        const level = levelFor(outcome.code, context.method);
        if (level === 'silent') return;
        const fault = isFault(outcome.code);
        options.logger[level](
          {
            ...methodFields('server', context.method),
            ...statusFields(outcome.code, outcome.details),
            duration_ms: durationMs(context.startedAt, performance.now()),
            peer: context.peer,
            ...(context.trace ? { trace_id: context.trace.traceId, span_id: context.trace.spanId } : {}),
            ...(context.principal
              ? { principal: { subject: context.principal.subject, kind: context.principal.kind } }
              : {}),
            ...metadataFields(context.metadata, metadataKeys),
            ...(fault && context.errorId ? { error_id: context.errorId } : {}),
            ...(fault && context.error !== undefined ? { err: context.error } : {}),
          },
          'finished call',
        );
      });
      return undefined;
    },
    options.selector,
  );
}
