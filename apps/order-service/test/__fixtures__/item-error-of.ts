import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ClientError } from '@platform/grpc';
import { codeFromJSON, ItemError } from '@platform/proto';

/**
 * A unary call's failure as a stream item carries it (ImportOrders results, TrackOrders): the
 * contract promises items the code, message and details the call would have answered.
 */
export function itemErrorOf(error: ClientError): ItemError {
  const details = error.statusDetails;
  return ItemError.create({
    code: codeFromJSON(GrpcStatus[error.code]),
    message: error.details,
    errorInfo: details.errorInfo ?? null,
    badRequest: details.badRequest ?? null,
    preconditionFailure: details.preconditionFailure ?? null,
    resourceInfo: details.resourceInfo ?? null,
  });
}
