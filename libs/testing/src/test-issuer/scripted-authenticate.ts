import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { AuthenticateResponse, toTimestamp, type AuthenticateRequest } from '@platform/proto';

/** What {@link scriptedAuthenticate} made: the handler and the sign-ins it answered. */
export interface ScriptedAuthenticate {
  /** UserService.Authenticate for a test server's implementation. */
  authenticate(
    call: ServerUnaryCall<AuthenticateRequest, AuthenticateResponse>,
    callback: sendUnaryData<AuthenticateResponse>,
  ): void;
  /** Each sign-in request, in order. */
  readonly signIns: AuthenticateRequest[];
}

/**
 * A scripted UserService.Authenticate for tests of a service's sign-in: the n-th sign-in gets the
 * token `token-<n>` for `subject`, valid for 15 minutes, so a test tells fresh tokens apart.
 */
export function scriptedAuthenticate(subject: string): ScriptedAuthenticate {
  const signIns: AuthenticateRequest[] = [];
  return {
    signIns,
    authenticate(call, callback) {
      signIns.push(call.request);
      callback(
        null,
        AuthenticateResponse.create({
          accessToken: `token-${signIns.length}`,
          expireTime: toTimestamp(new Date(Date.now() + 900_000)),
          subject,
          roles: [],
        }),
      );
    },
  };
}
