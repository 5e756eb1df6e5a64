import { status as GrpcStatus } from '@grpc/grpc-js';
import { Catch, HttpException, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { FORBIDDEN_MESSAGE } from '@nestjs/core/internal';
import { RpcException } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { throwError, type Observable } from 'rxjs';
import { InternalError, PermissionDeniedError, PlatformError, toPlatformError } from '@platform/core';
import { currentCall } from '@platform/grpc';
import { grpcCodeForHttpStatus } from './grpc-code-for-http-status.js';
import type { GrpcExceptionFilterOptions } from './nest-options.js';

function isErrorCode(code: unknown): code is GrpcStatus {
  // UNKNOWN is never sent for a known condition (DESIGN: errors); OK is no error.
  return (
    typeof code === 'number' &&
    Number.isInteger(code) &&
    code > 0 &&
    code <= 16 &&
    code !== GrpcStatus.UNKNOWN
  );
}

function messageOf(response: unknown, fallback: string): string {
  const message = (response as { message?: unknown } | null)?.message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && message.every((item) => typeof item === 'string')) return message.join('; ');
  return fallback;
}

/**
 * Maps whatever a Nest gRPC handler, guard, pipe or interceptor throws (synchronously, as a
 * rejected promise or as an Observable error, in unary and streaming calls alike) to the
 * status grpc-js sends:
 * - a PlatformError as it is;
 * - a guard's denial (`RpcException('Forbidden resource')`, Nest's ForbiddenException):
 *   PERMISSION_DENIED, never UNKNOWN;
 * - `RpcException({ code, message })`: that code; an HttpException: the code for its HTTP status
 *   (AIP-193 table), with an ErrorInfo carrying `httpStatus`;
 * - anything else, including a string RpcException and 5xx HttpExceptions: INTERNAL with an
 *   error id and a generic message; the original error is recorded in the call context
 *   (`currentCall().error`) for the logging interceptor, never sent.
 * Register it globally: `app.useGlobalFilters(new GrpcExceptionFilter())`.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  readonly #newErrorId: () => string;

  constructor(options: GrpcExceptionFilterOptions = {}) {
    this.#newErrorId = options.newErrorId ?? randomUUID;
  }

  catch(exception: unknown): Observable<never> {
    const error = this.toPlatformError(exception);
    return throwError(() => error);
  }

  /** The PlatformError sent for an exception. */
  toPlatformError(exception: unknown): PlatformError {
    if (exception instanceof PlatformError) return exception;
    if (exception instanceof RpcException) return this.#fromRpcException(exception);
    if (exception instanceof HttpException) return this.#fromHttpException(exception);
    return this.#unexpected(exception);
  }

  #fromRpcException(exception: RpcException): PlatformError {
    const error = exception.getError();
    if (error === FORBIDDEN_MESSAGE)
      return new PermissionDeniedError(FORBIDDEN_MESSAGE, { cause: exception });
    if (typeof error === 'object' && error !== null) {
      const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown };
      const text = typeof message === 'string' ? message : typeof details === 'string' ? details : undefined;
      if (isErrorCode(code) && text !== undefined) return new PlatformError(code, text, { cause: exception });
    }
    return this.#unexpected(exception);
  }

  #fromHttpException(exception: HttpException): PlatformError {
    const httpStatus = exception.getStatus();
    const code = grpcCodeForHttpStatus(httpStatus);
    if (code === GrpcStatus.INTERNAL) return this.#unexpected(exception);
    return new PlatformError(code, messageOf(exception.getResponse(), exception.message), {
      metadata: { httpStatus: String(httpStatus) },
      cause: exception,
    });
  }

  #unexpected(exception: unknown): PlatformError {
    const error = toPlatformError(exception, this.#newErrorId);
    const call = currentCall();
    if (call) {
      call.error ??= exception;
      if (error instanceof InternalError) call.errorId ??= error.errorId;
    } else {
      // Outside a call context (no contextInterceptor in the chain) nothing else would log it.
      Logger.error(exception, GrpcExceptionFilter.name);
    }
    return error;
  }
}
