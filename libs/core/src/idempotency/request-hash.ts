import { createHash } from 'node:crypto';

/**
 * The digest of the payload a request id (an idempotency key) stands for, stored beside the row
 * it made: a retry with the same id and payload gets that row again, one with another payload is
 * refused ({@link assertSameRequest}). `payload` is JSON-serialisable and in a fixed order.
 */
export function requestHashOf(payload: unknown): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('base64url');
}

/** A row an idempotent create made: the request id and the digest of its payload. */
export interface IdempotentRow {
  readonly id: string;
  readonly requestId: string;
  readonly requestHash: string;
}
