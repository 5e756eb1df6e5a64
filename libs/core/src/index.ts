// Public API of @platform/core: the vocabulary every layer shares, with no transport. The gRPC
// chain, the Kafka consumer runtime, the database layer and the domains all speak it.
export type { Principal } from './call/principal.js';
export { currentScope, remainingMs, runInCall, type CallScope } from './call/call-scope.js';
export { openCall, type OpenCallOptions, type OpenedCall } from './call/open-call.js';
export { deadlineExceeded, isDeadlineReason } from './call/deadline-reason.js';
export {
  durationFromMs,
  msFromDuration,
  PlatformError,
  type PlatformErrorOptions,
} from './errors/platform-error.js';
export {
  AbortedError,
  AlreadyExistsError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
  type FieldViolation,
  type PreconditionViolation,
  type QuotaViolation,
  type ResourceRef,
} from './errors/platform-errors.js';
export { Code, codeName } from './errors/code.js';
export { toPlatformError } from './errors/to-platform-error.js';
export { invalidRequestError } from './validation/invalid-request-error.js';
export type { RequestValidator } from './validation/request-validator.js';
export { PageTokenCodec } from './pagination/page-token-codec.js';
export { resolvePageSize } from './pagination/resolve-page-size.js';
export {
  paginationDefaults,
  type PageSizeOptions,
  type PageTokenCodecOptions,
} from './pagination/pagination-options.js';
export { pageOf } from './pagination/page-of.js';
export { assertSameRequest, type IdempotentResource } from './idempotency/assert-same-request.js';
export { requestHashOf, type IdempotentRow } from './idempotency/request-hash.js';
