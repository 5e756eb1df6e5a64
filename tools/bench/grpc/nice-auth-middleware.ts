import type { JWTPayload } from 'jose';
import { ServerError, Status, type ServerMiddleware } from 'nice-grpc-common';

/** Runs the call once `check` accepted its `authorization` header; UNAUTHENTICATED otherwise. */
export function niceAuthMiddleware(
  check: (authorization: string | undefined) => Promise<JWTPayload>,
): ServerMiddleware {
  return async function* auth(call, context) {
    try {
      await check(context.metadata.get('authorization'));
    } catch {
      throw new ServerError(Status.UNAUTHENTICATED, 'invalid token');
    }
    return yield* call.next(call.request, context);
  };
}
