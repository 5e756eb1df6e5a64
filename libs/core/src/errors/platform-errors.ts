import { Code } from './code.js';
import { durationFromMs, PlatformError, type PlatformErrorOptions } from './platform-error.js';

// The typed errors handlers throw. Each maps to one gRPC code and the google.rpc detail that
// code calls for (AIP-193). Default reasons are the code names; services pass specific,
// documented reasons (`ORDER_NOT_FOUND`, `IDEMPOTENCY_KEY_REUSED`).

/** Names the resource an error is about (google.rpc.ResourceInfo). */
export interface ResourceRef {
  /** Type, as a fully qualified message name: `platform.order.v1.Order`. */
  resourceType: string;
  /** Name or id of the resource. */
  resourceName: string;
}

/** One invalid field of a request (google.rpc.BadRequest.FieldViolation). */
export interface FieldViolation {
  /** Path to the field, `items[3].quantity`. */
  field: string;
  /** What is wrong, for a developer. */
  description: string;
  /** Stable machine-readable reason, `TOO_SMALL`. */
  reason?: string;
}

/** One unmet precondition (google.rpc.PreconditionFailure.Violation). */
export interface PreconditionViolation {
  /** Kind of precondition, `USER_STATUS`. */
  type: string;
  /** What it applies to, `users/<id>`. */
  subject: string;
  description: string;
}

/** One exceeded quota (google.rpc.QuotaFailure.Violation). */
export interface QuotaViolation {
  subject: string;
  description: string;
}

/** Options plus the google.rpc.ResourceInfo naming the resource an error is about. */
function aboutResource(
  message: string,
  resource: ResourceRef,
  options: PlatformErrorOptions,
): PlatformErrorOptions {
  return {
    ...options,
    details: { ...options.details, resourceInfo: { ...resource, owner: '', description: message } },
  };
}

/** NOT_FOUND: the resource does not exist (or the caller may not know that it does). */
export class NotFoundError extends PlatformError {
  static override readonly kind: string = 'NotFoundError';
  constructor(message: string, resource: ResourceRef, options: PlatformErrorOptions = {}) {
    super(Code.NOT_FOUND, message, aboutResource(message, resource, options));
  }
}

/** ALREADY_EXISTS: the resource to create exists already. */
export class AlreadyExistsError extends PlatformError {
  static override readonly kind: string = 'AlreadyExistsError';
  constructor(message: string, resource: ResourceRef, options: PlatformErrorOptions = {}) {
    super(Code.ALREADY_EXISTS, message, aboutResource(message, resource, options));
  }
}

/** INVALID_ARGUMENT: the request is malformed, whatever the system's state; names each field. */
export class InvalidArgumentError extends PlatformError {
  static override readonly kind: string = 'InvalidArgumentError';
  readonly fieldViolations: readonly FieldViolation[];
  constructor(
    message: string,
    fieldViolations: readonly FieldViolation[],
    options: PlatformErrorOptions = {},
  ) {
    super(Code.INVALID_ARGUMENT, message, {
      ...options,
      details: {
        ...options.details,
        badRequest: {
          fieldViolations: fieldViolations.map((violation) => ({
            field: violation.field,
            description: violation.description,
            reason: violation.reason ?? '',
            localizedMessage: null,
          })),
        },
      },
    });
    this.fieldViolations = fieldViolations;
  }
}

/** FAILED_PRECONDITION: the system is not in a state that allows the call. Do not retry as is. */
export class FailedPreconditionError extends PlatformError {
  static override readonly kind: string = 'FailedPreconditionError';
  readonly violations: readonly PreconditionViolation[];
  constructor(
    message: string,
    violations: readonly PreconditionViolation[],
    options: PlatformErrorOptions = {},
  ) {
    super(Code.FAILED_PRECONDITION, message, {
      ...options,
      details: { ...options.details, preconditionFailure: { violations: [...violations] } },
    });
    this.violations = violations;
  }
}

/** PERMISSION_DENIED: the caller is known but may not do this. */
export class PermissionDeniedError extends PlatformError {
  static override readonly kind: string = 'PermissionDeniedError';
  constructor(message: string, options: PlatformErrorOptions = {}) {
    super(Code.PERMISSION_DENIED, message, options);
  }
}

/** UNAUTHENTICATED: no valid credentials (missing, malformed, expired, wrong issuer …). */
export class UnauthenticatedError extends PlatformError {
  static override readonly kind: string = 'UnauthenticatedError';
  constructor(message: string, options: PlatformErrorOptions = {}) {
    super(Code.UNAUTHENTICATED, message, options);
  }
}

/** RESOURCE_EXHAUSTED: a quota or rate limit is exceeded; retry after `retryDelayMs`. */
export class ResourceExhaustedError extends PlatformError {
  static override readonly kind: string = 'ResourceExhaustedError';
  readonly retryDelayMs: number;
  constructor(
    message: string,
    limit: { retryDelayMs: number; violations?: readonly QuotaViolation[] },
    options: PlatformErrorOptions = {},
  ) {
    super(Code.RESOURCE_EXHAUSTED, message, {
      ...options,
      details: {
        ...options.details,
        retryInfo: { retryDelay: durationFromMs(limit.retryDelayMs) },
        ...(limit.violations?.length
          ? {
              quotaFailure: {
                violations: limit.violations.map((violation) => ({
                  subject: violation.subject,
                  description: violation.description,
                  apiService: '',
                  quotaMetric: '',
                  quotaId: '',
                  quotaDimensions: {},
                  quotaValue: '0',
                })),
              },
            }
          : {}),
      },
    });
    this.retryDelayMs = limit.retryDelayMs;
  }
}

/** UNAVAILABLE: transient; the call was not processed and may be retried (after `retryDelayMs`). */
export class UnavailableError extends PlatformError {
  static override readonly kind: string = 'UnavailableError';
  constructor(message: string, options: PlatformErrorOptions & { retryDelayMs?: number } = {}) {
    super(Code.UNAVAILABLE, message, {
      ...options,
      details:
        options.retryDelayMs === undefined
          ? options.details
          : { ...options.details, retryInfo: { retryDelay: durationFromMs(options.retryDelayMs) } },
    });
  }
}

/** ABORTED: a concurrency conflict (version mismatch, lock lost); retry the whole transaction. */
export class AbortedError extends PlatformError {
  static override readonly kind: string = 'AbortedError';
  constructor(message: string, options: PlatformErrorOptions = {}) {
    super(Code.ABORTED, message, options);
  }
}

/** INTERNAL: a bug or an unexpected failure. The message is generic; the cause is only logged. */
export class InternalError extends PlatformError {
  static override readonly kind: string = 'InternalError';
  readonly errorId: string;
  constructor(errorId: string, options: Omit<PlatformErrorOptions, 'metadata'> = {}) {
    super(Code.INTERNAL, `Internal error (error id ${errorId})`, {
      reason: 'INTERNAL',
      ...options,
      metadata: { errorId },
    });
    this.errorId = errorId;
  }
}
