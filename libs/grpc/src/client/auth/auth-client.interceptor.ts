import {
  InterceptingCall,
  Metadata,
  RequesterBuilder,
  status as GrpcStatus,
  type Interceptor,
  type InterceptingListener,
  type StatusObject,
} from '@grpc/grpc-js';
import { currentScope } from '@platform/core';
import type { AuthClientOptions } from './auth-client-options.js';
import { tokenUnavailableError } from '../../call/auth-errors.js';
import { statusOf } from '../../call/grpc-error-shape.js';

const defaultDomain = 'auth.platform';

function deadlineMs(deadline: Date | number | undefined): number {
  if (deadline === undefined) return Number.POSITIVE_INFINITY;
  const epochMs = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(epochMs) ? epochMs : Number.POSITIVE_INFINITY;
}

/**
 * Client auth interceptor: sends `authorization: Bearer <token>` on every call, the token
 * coming from a {@link TokenProvider} (the service's own principal) or forwarded from the
 * server call being handled (`forwardIncoming`: the end user's). It is an interceptor rather
 * than CallCredentials so it works on plaintext channels too (grpc-js refuses call credentials
 * on insecure channels).
 *
 * When the provider fails, the call fails without being sent, reason `TOKEN_UNAVAILABLE`:
 * UNAVAILABLE when the token endpoint could not be reached (the provider failed UNAVAILABLE or
 * DEADLINE_EXCEEDED: nothing was processed, a retry may succeed), UNAUTHENTICATED otherwise. While the token is being fetched, the call's messages and half-close wait, in order
 * (grpc-js's own streams write one message at a time, but an interceptor above this one may
 * not), and the call's deadline and cancellation are honoured: grpc-js would only report them
 * to a call that has started.
 */
export function authClientInterceptor(options: AuthClientOptions): Interceptor {
  const domain = options.domain ?? defaultDomain;
  const { provider } = options;

  return (callOptions, nextCall) => {
    const forwarded = options.forwardIncoming ? currentScope()?.principal?.token : undefined;
    const call = nextCall(callOptions);

    // 'waiting' while the token is fetched; then 'started', or 'closed' when the call ended
    // here (provider failure, deadline, cancellation) and the next call never starts.
    let state: 'waiting' | 'started' | 'closed' = 'waiting';
    let held: (() => void)[] = [];
    let listener: InterceptingListener | undefined;
    let timer: NodeJS.Timeout | undefined;

    const close = (status: StatusObject) => {
      if (state !== 'waiting') return;
      state = 'closed';
      held = [];
      clearTimeout(timer);
      // Ends the next call too (its deadline timer, its resolver), which never started.
      call.cancelWithStatus(status.code, status.details);
      listener?.onReceiveStatus(status);
    };
    const hold = (operation: () => void) => {
      if (state === 'waiting') held.push(operation);
      else if (state === 'started') operation();
    };

    const requester = new RequesterBuilder()
      .withStart((metadata, startListener, next) => {
        listener = startListener;
        const begin = (token: string | undefined) => {
          if (state !== 'waiting') return;
          if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
          state = 'started';
          clearTimeout(timer);
          next(metadata, startListener);
          const operations = held;
          held = [];
          for (const operation of operations) operation();
        };

        if (metadata.get('authorization').length > 0) return begin(undefined);
        if (forwarded !== undefined) return begin(forwarded);

        const unavailable = (error: unknown) => {
          options.onTokenError?.(error);
          const failure = tokenUnavailableError(error, domain);
          close(statusOf(failure));
        };
        if (!provider) return unavailable(new Error('no incoming token to forward and no token provider'));

        const remaining = deadlineMs(callOptions.deadline) - Date.now();
        if (remaining !== Number.POSITIVE_INFINITY) {
          timer = setTimeout(
            () =>
              close({
                code: GrpcStatus.DEADLINE_EXCEEDED,
                details: 'Deadline exceeded while obtaining an access token',
                metadata: new Metadata(),
              }),
            Math.max(0, remaining),
          );
        }
        Promise.resolve()
          .then(() => provider.getToken())
          .then((accessToken) => begin(accessToken.token), unavailable);
      })
      .withSendMessage((message, next) => hold(() => next(message)))
      .withHalfClose((next) => hold(next))
      .withCancel((next) => {
        if (state === 'waiting') {
          close({ code: GrpcStatus.CANCELLED, details: 'Cancelled on client', metadata: new Metadata() });
          return;
        }
        next();
      })
      .build();

    return new InterceptingCall(call, requester);
  };
}
