import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { statusFromMetadata, type Any, type ErrorDetails } from '@platform/proto';
import { msFromDuration } from '@platform/core';
import { httpStatusOf } from './http-status-of.js';

const clientErrorBrand = Symbol.for('@platform/grpc.ClientError');

interface StatusLike {
  code?: unknown;
  details?: unknown;
  message?: unknown;
  metadata?: unknown;
}

/**
 * A failed gRPC call as the client sees it: the status code and message, the trailers, and
 * every standard google.rpc detail decoded from `grpc-status-details-bin` (ErrorInfo,
 * BadRequest, RetryInfo, PreconditionFailure, QuotaFailure, ResourceInfo, RequestInfo,
 * DebugInfo, Help, LocalizedMessage). `instanceof` works across duplicate installs of this
 * package (the class is recognised by a registered symbol).
 */
export class ClientError extends Error {
  readonly code: GrpcStatus;
  /** The status message, as grpc-js names it on ServiceError. */
  readonly details: string;
  /** The trailers the call ended with. */
  readonly metadata: Metadata;
  /** The standard details of the google.rpc.Status; empty when the server sent none. */
  readonly statusDetails: Readonly<ErrorDetails>;
  /** Details of types outside the standard set, still packed. */
  readonly unknownDetails: readonly Any[];
  declare readonly [clientErrorBrand]: true;

  constructor(
    code: GrpcStatus,
    details: string,
    metadata: Metadata = new Metadata(),
    options?: ErrorOptions,
  ) {
    super(`${GrpcStatus[code] ?? code}: ${details}`, options);
    this.name = 'ClientError';
    this.code = code;
    this.details = details;
    this.metadata = metadata;
    const decoded = statusFromMetadata(metadata);
    this.statusDetails = decoded?.details ?? {};
    this.unknownDetails = decoded?.unknownDetails ?? [];
    Object.defineProperty(this, clientErrorBrand, { value: true, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (value as { [clientErrorBrand]?: unknown } | null)?.[clientErrorBrand] === true;
  }

  /**
   * The ClientError for what a call failed with: a grpc-js ServiceError or status object keeps
   * its code, message and trailers (and becomes the `cause`); anything else is UNKNOWN.
   */
  static from(error: unknown): ClientError {
    if (error instanceof ClientError) return error;
    const candidate = (typeof error === 'object' && error !== null ? error : {}) as StatusLike;
    const { code, details, message, metadata } = candidate;
    if (typeof code === 'number' && Number.isInteger(code)) {
      const text = typeof details === 'string' ? details : typeof message === 'string' ? message : '';
      return new ClientError(code, text, metadata instanceof Metadata ? metadata : new Metadata(), {
        cause: error,
      });
    }
    const text = error instanceof Error ? error.message : String(error);
    return new ClientError(GrpcStatus.UNKNOWN, text, new Metadata(), { cause: error });
  }

  /** ErrorInfo reason (`ORDER_NOT_FOUND`), when the server sent one. */
  get reason(): string | undefined {
    return this.statusDetails.errorInfo?.reason;
  }

  /** ErrorInfo domain (`order.platform`), when the server sent one. */
  get domain(): string | undefined {
    return this.statusDetails.errorInfo?.domain;
  }

  /** RetryInfo delay in milliseconds, when the server asked the client to wait. */
  get retryDelayMs(): number | undefined {
    const delay = this.statusDetails.retryInfo?.retryDelay;
    return delay ? msFromDuration(delay) : undefined;
  }

  /** The HTTP status for this code, per google.rpc.Code (UNAVAILABLE 503, NOT_FOUND 404 …). */
  toHttpStatus(): number {
    return httpStatusOf(this.code);
  }
}
