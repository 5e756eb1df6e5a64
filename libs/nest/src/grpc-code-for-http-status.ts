import { status as GrpcStatus } from '@grpc/grpc-js';

// The HTTP statuses of AIP-193's code table, read backwards. 409 is ALREADY_EXISTS: Nest's
// ConflictException usually reports a duplicate; handlers throw AbortedError for a concurrency
// conflict.
const codes: ReadonlyMap<number, GrpcStatus> = new Map([
  [400, GrpcStatus.INVALID_ARGUMENT],
  [401, GrpcStatus.UNAUTHENTICATED],
  [403, GrpcStatus.PERMISSION_DENIED],
  [404, GrpcStatus.NOT_FOUND],
  [409, GrpcStatus.ALREADY_EXISTS],
  [429, GrpcStatus.RESOURCE_EXHAUSTED],
  [499, GrpcStatus.CANCELLED],
  [501, GrpcStatus.UNIMPLEMENTED],
  [503, GrpcStatus.UNAVAILABLE],
  [504, GrpcStatus.DEADLINE_EXCEEDED],
]);

/** The gRPC code for an HTTP status (of a Nest HttpException); INTERNAL for any other status. */
export function grpcCodeForHttpStatus(httpStatus: number): GrpcStatus {
  return codes.get(httpStatus) ?? GrpcStatus.INTERNAL;
}
