import { status as GrpcStatus } from '@grpc/grpc-js';

/**
 * A status code by its name (`OK`, `NOT_FOUND` …), as metrics labels, log lines and span
 * attributes spell it; a code gRPC does not define, as its number.
 */
export function codeName(code: number): string {
  return GrpcStatus[code] ?? String(code);
}
