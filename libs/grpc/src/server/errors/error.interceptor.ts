import { Metadata, ResponderBuilder, status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import type { ErrorInterceptorOptions } from './error-options.js';
import { fitStatus, statusDetailsKey, statusFromMetadata, type ErrorDetails } from '@platform/proto';

const defaultMaxStatusDetailsBytes = 4096;

/**
 * Server interceptor that makes every failed status well-formed on the way out:
 * - UNKNOWN never leaves the server: a handler failure nothing mapped (grpc-js turns a thrown
 *   plain Error into UNKNOWN) becomes INTERNAL with a generic message and an error id in
 *   ErrorInfo metadata; the original message is kept in the call context for the log only;
 * - every failed status carries a google.rpc.Status with an ErrorInfo whose domain is set
 *   (grpc-js's own statuses, such as RESOURCE_EXHAUSTED for an oversized message, get reason
 *   = the code name);
 * - the details trailer is bounded in size.
 */
export function errorInterceptor(options: ErrorInterceptorOptions) {
  const maxBytes = options.maxStatusDetailsBytes ?? defaultMaxStatusDetailsBytes;
  const newErrorId = options.newErrorId ?? randomUUID;

  return createServerInterceptor('error', (context) =>
    new ResponderBuilder()
      .withSendStatus((status, next) => {
        if (status.code === GrpcStatus.OK) return next(status);
        const trailers = status.metadata?.clone() ?? new Metadata();
        const decoded = statusFromMetadata(trailers);
        let code = status.code;
        let message = status.details ?? '';
        let details: ErrorDetails = decoded?.details ?? {};

        if (code === GrpcStatus.UNKNOWN || (code === GrpcStatus.INTERNAL && !details.errorInfo)) {
          context.error ??= new Error(message);
          context.errorId ??= newErrorId();
          code = GrpcStatus.INTERNAL;
          message = `Internal error (error id ${context.errorId})`;
          details = { errorInfo: { reason: 'INTERNAL', domain: '', metadata: { errorId: context.errorId } } };
        } else if (code === GrpcStatus.INTERNAL && details.errorInfo?.metadata['errorId']) {
          context.errorId ??= details.errorInfo.metadata['errorId'];
        }
        const errorInfo = details.errorInfo ?? {
          reason: GrpcStatus[code] ?? 'UNKNOWN',
          domain: '',
          metadata: {},
        };
        details = { ...details, errorInfo: { ...errorInfo, domain: errorInfo.domain || options.domain } };

        trailers.set(statusDetailsKey, fitStatus(code, message, details, maxBytes));
        const finalStatus: StatusObject = { code, details: message, metadata: trailers };
        next(finalStatus);
      })
      .build(),
  );
}
