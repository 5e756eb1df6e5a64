import { Code } from './code.js';
import { randomUUID } from 'node:crypto';
import { PlatformError } from './platform-error.js';
import { InternalError, UnavailableError } from './platform-errors.js';

function rpcCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

/**
 * What a server answers for an error a handler failed with:
 * - a {@link PlatformError} as it is;
 * - an error from a downstream gRPC call: UNAVAILABLE stays UNAVAILABLE (the call was not
 *   processed, the client may retry), DEADLINE_EXCEEDED and CANCELLED keep their code;
 *   anything else is our failure, not the caller's, so INTERNAL;
 * - anything else: INTERNAL with a new error id and no detail of the cause.
 */
export function toPlatformError(error: unknown, newErrorId: () => string = randomUUID): PlatformError {
  if (error instanceof PlatformError) return error;
  const code = rpcCodeOf(error);
  if (code === Code.UNAVAILABLE) {
    return new UnavailableError('A dependency is unavailable', {
      reason: 'DEPENDENCY_UNAVAILABLE',
      cause: error,
    });
  }
  if (code === Code.DEADLINE_EXCEEDED) {
    return new PlatformError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded', { cause: error });
  }
  if (code === Code.CANCELLED) {
    return new PlatformError(Code.CANCELLED, 'Cancelled', { cause: error });
  }
  return new InternalError(newErrorId(), { cause: error });
}
