import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import type { MethodInfo } from '../../call/method-info.js';

/** Request metadata logged unless configured otherwise. */
export const defaultMetadataAllowlist: readonly string[] = ['user-agent', 'x-request-id'];

/** Codes whose line carries the original error (with its stack): faults of the server itself. */
const faultCodes: ReadonlySet<number> = new Set([
  GrpcStatus.UNKNOWN,
  GrpcStatus.INTERNAL,
  GrpcStatus.DATA_LOSS,
]);

export function isFault(code: number): boolean {
  return faultCodes.has(code);
}

/** The fields every call line starts with. */
export function methodFields(side: 'server' | 'client', method: MethodInfo) {
  return {
    'grpc.component': side,
    'grpc.service': method.service,
    'grpc.method': method.method,
    'grpc.type': method.type,
  };
}

/** The status fields: the code by name, and its message unless OK. */
export function statusFields(code: number, details: string | undefined) {
  return {
    'grpc.code': GrpcStatus[code] ?? String(code),
    ...(code !== GrpcStatus.OK && details ? { 'grpc.message': details } : {}),
  };
}

/** Milliseconds since `startedAt` (a `performance.now()` value), to the microsecond. */
export function durationMs(startedAt: number, now: number): number {
  return Math.round((now - startedAt) * 1000) / 1000;
}

/** The allowlisted metadata present in the call, one value as a string, several as a list. */
export function metadataFields(metadata: Metadata, keys: readonly string[]) {
  const logged: Record<string, string | string[]> = {};
  for (const key of keys) {
    const values = metadata.get(key).filter((value): value is string => typeof value === 'string');
    if (values.length > 0) logged[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return Object.keys(logged).length > 0 ? { 'grpc.request.metadata': logged } : {};
}
