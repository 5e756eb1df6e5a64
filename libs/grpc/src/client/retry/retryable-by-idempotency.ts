import type { Metadata } from '@grpc/grpc-js';
import { idempotencyLevelOf } from '@platform/proto';

/** Metadata key by which a caller declares a call safe to repeat (the server deduplicates). */
export const idempotencyKeyHeader = 'idempotency-key';

/**
 * The default retry eligibility: the method declares `idempotency_level` IDEMPOTENT or
 * NO_SIDE_EFFECTS in its .proto, or the call carries an `idempotency-key`.
 */
export function retryableByIdempotency(path: string, metadata: Metadata): boolean {
  if (metadata.get(idempotencyKeyHeader).length > 0) return true;
  const level = idempotencyLevelOf(path);
  return level === 'IDEMPOTENT' || level === 'NO_SIDE_EFFECTS';
}
