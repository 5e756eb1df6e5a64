import { status as GrpcStatus } from '@grpc/grpc-js';
import type { CallLogLevel } from './logging-options.js';

// A server that rejects a bad request did its job: client mistakes are not server errors, and
// logging them as such buries the real ones. Overload and transient failures deserve a look
// (warn); faults of the server itself page someone (error).
const warnCodes: ReadonlySet<number> = new Set([
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.UNAVAILABLE,
]);
const errorCodes: ReadonlySet<number> = new Set([
  GrpcStatus.UNKNOWN,
  GrpcStatus.INTERNAL,
  GrpcStatus.DATA_LOSS,
  GrpcStatus.UNIMPLEMENTED,
]);

/**
 * The default level of a call's line: info for OK, NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT,
 * FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED, CANCELLED, OUT_OF_RANGE; warn for
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE; error for UNKNOWN, INTERNAL,
 * DATA_LOSS, UNIMPLEMENTED (and any code outside the 17 standard ones).
 */
export function defaultCallLogLevel(code: number): CallLogLevel {
  if (warnCodes.has(code)) return 'warn';
  if (errorCodes.has(code) || GrpcStatus[code] === undefined) return 'error';
  return 'info';
}
