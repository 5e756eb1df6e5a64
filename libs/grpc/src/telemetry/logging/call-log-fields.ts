import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';

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

/** Milliseconds since `startedAt` (a `performance.now()` value), to the microsecond. */
export function durationMs(startedAt: number, now: number): number {
  return Math.round((now - startedAt) * 1000) / 1000;
}

/** The allowlisted metadata present in the call, one value as a string, several as a list. */
export function loggedMetadata(
  metadata: Metadata,
  keys: readonly string[],
): Record<string, string | string[]> | undefined {
  let logged: Record<string, string | string[]> | undefined;
  for (const key of keys) {
    const values = metadata.get(key).filter((value): value is string => typeof value === 'string');
    if (values.length === 0) continue;
    logged ??= {};
    logged[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return logged;
}
