import { Code, toPlatformError } from '@platform/core';
import { codeFromJSON, ItemError } from '@platform/proto';

/** The ErrorInfo domain of per-item errors (the error interceptor fills it for call errors). */
export const orderErrorDomain = 'order.platform';

/**
 * A per-item error of a stream (ImportOrders results, TrackOrders answers): the same code and
 * google.rpc details the call would have failed with, so clients decode both alike. Unknown
 * errors become INTERNAL with an error id, as for calls.
 */
export function toItemError(
  error: unknown,
  onInternal?: (error: unknown, errorId: string) => void,
): ItemError {
  const platform = toPlatformError(error);
  if (platform.code === Code.INTERNAL) onInternal?.(error, platform.errorMetadata['errorId'] ?? '');
  const details = platform.statusDetails;
  return ItemError.create({
    code: codeFromJSON(platform.code),
    message: platform.message,
    errorInfo: {
      ...details.errorInfo,
      reason: platform.reason,
      domain: platform.domain || orderErrorDomain,
      metadata: { ...platform.errorMetadata },
    },
    badRequest: details.badRequest ?? null,
    preconditionFailure: details.preconditionFailure ?? null,
    resourceInfo: details.resourceInfo ?? null,
  });
}
