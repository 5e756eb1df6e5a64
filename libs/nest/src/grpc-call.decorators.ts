import { createParamDecorator } from '@nestjs/common';
import { remainingMs } from '@platform/core';
import { currentCall, type CallContext } from '@platform/grpc';

function callContext(decorator: string): CallContext {
  const context = currentCall();
  if (!context) {
    throw new Error(
      `@${decorator}() reads the call context: add contextInterceptor to the server's interceptors (platformGrpcServerOptions)`,
    );
  }
  return context;
}

/** The caller's Principal, as the auth interceptor established it (`undefined` when anonymous). */
export const GrpcPrincipal = createParamDecorator(() => callContext('GrpcPrincipal').principal);

/** The incoming request metadata. */
export const GrpcMetadata = createParamDecorator(() => callContext('GrpcMetadata').metadata);

/**
 * The call's deadline: `@GrpcDeadline()` gives the milliseconds left (`Infinity` without a
 * deadline), `@GrpcDeadline('absolute')` the deadline in epoch milliseconds (`undefined` without).
 */
export const GrpcDeadline = createParamDecorator((form: 'remaining' | 'absolute' | undefined) => {
  const context = callContext('GrpcDeadline');
  return form === 'absolute' ? context.deadline : remainingMs(context);
});
