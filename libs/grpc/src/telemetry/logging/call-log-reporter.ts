import type { Metadata } from '@grpc/grpc-js';
import type { Principal } from '@platform/core';
import { performance } from 'node:perf_hooks';
import type { MethodInfo } from '../../call/method-info.js';
import {
  defaultMetadataAllowlist,
  durationMs,
  isFault,
  metadataFields,
  methodFields,
  statusFields,
} from './call-log-fields.js';
import { defaultCallLogLevel } from './default-call-log-level.js';
import type { LoggingInterceptorOptions } from './logging-options.js';
import { recordableMetadataKeys } from './sensitive-metadata.js';

/** What either side knows of a call when it ends: the fields of its one log line. */
export interface FinishedCall {
  readonly method: MethodInfo;
  readonly code: number;
  readonly details: string | undefined;
  /** `performance.now()` when the call started. */
  readonly startedAt: number;
  readonly peer: string;
  /** The request metadata (received by a server, sent by a client); allowlisted keys are logged. */
  readonly metadata: Metadata | undefined;
  readonly trace?: { readonly traceId: string; readonly spanId: string };
  readonly principal?: Principal;
  /** For server faults: the error id the client was given, and the original error (never sent). */
  readonly errorId?: string;
  readonly error?: unknown;
}

/**
 * The one call-line reporter both logging interceptors write through, so a server's and a
 * client's lines have the same fields, levels and redaction: the method, the final code by name,
 * the duration, the peer, trace and span ids, the principal, allowlisted metadata, and for
 * faults the error id and the original error with its stack.
 */
export function callLogReporter(
  options: LoggingInterceptorOptions,
  side: 'server' | 'client',
): (call: FinishedCall) => void {
  const levelFor = options.levelFor ?? defaultCallLogLevel;
  const metadataKeys = recordableMetadataKeys(options.metadataAllowlist ?? defaultMetadataAllowlist);
  return (call) => {
    const level = levelFor(call.code, call.method);
    if (level === 'silent') return;
    const fault = isFault(call.code);
    options.logger[level](
      {
        ...methodFields(side, call.method),
        ...statusFields(call.code, call.details),
        duration_ms: durationMs(call.startedAt, performance.now()),
        peer: call.peer,
        ...(call.trace ? { trace_id: call.trace.traceId, span_id: call.trace.spanId } : {}),
        ...(call.principal
          ? { principal: { subject: call.principal.subject, kind: call.principal.kind } }
          : {}),
        ...(call.metadata ? metadataFields(call.metadata, metadataKeys) : {}),
        ...(fault && call.errorId ? { error_id: call.errorId } : {}),
        ...(fault && call.error !== undefined ? { err: call.error } : {}),
      },
      'finished call',
    );
  };
}
