import type { Metadata } from '@grpc/grpc-js';
import type { Principal } from '@platform/core';
import { performance } from 'node:perf_hooks';
import type { MethodInfo } from '../../call/method-info.js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { codeName } from '../../call/code-name.js';
import { defaultMetadataAllowlist, durationMs, isFault, loggedMetadata } from './call-log-fields.js';
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
  // One object filled in place: the line is written per call, and spreads of partial objects
  // were most of its cost besides pino's own.
  return (call) => {
    const level = levelFor(call.code, call.method);
    if (level === 'silent') return;
    const { method, code } = call;
    const line: Record<string, unknown> = {
      'grpc.component': side,
      'grpc.service': method.service,
      'grpc.method': method.method,
      'grpc.type': method.type,
      'grpc.code': codeName(code),
    };
    if (code !== GrpcStatus.OK && call.details) line['grpc.message'] = call.details;
    line['duration_ms'] = durationMs(call.startedAt, performance.now());
    line['peer'] = call.peer;
    if (call.trace) {
      line['trace_id'] = call.trace.traceId;
      line['span_id'] = call.trace.spanId;
    }
    if (call.principal) line['principal'] = { subject: call.principal.subject, kind: call.principal.kind };
    const metadata = call.metadata && loggedMetadata(call.metadata, metadataKeys);
    if (metadata) line['grpc.request.metadata'] = metadata;
    if (isFault(code)) {
      if (call.errorId) line['error_id'] = call.errorId;
      if (call.error !== undefined) line['err'] = call.error;
    }
    options.logger[level](line, 'finished call');
  };
}
