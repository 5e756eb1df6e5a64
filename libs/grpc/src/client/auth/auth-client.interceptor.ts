import { Metadata, status as GrpcStatus, type Deadline, type Interceptor } from '@grpc/grpc-js';
import { currentScope } from '@platform/core';
import { clientStepInterceptor } from '../../chain/client-step-interceptor.js';
import type { ClientCallHooks, ClientStepCall, StepStatus } from '../../chain/client-step.js';
import type { AuthClientOptions } from './auth-client-options.js';
import { tokenUnavailableError } from '../../call/auth-errors.js';
import { statusOf } from '../../call/grpc-error-shape.js';
import { epochMsOf } from '../channel/epoch-ms.js';

const defaultDomain = 'auth.platform';

/** The interceptor's options, resolved once. */
interface TokenSource {
  readonly options: AuthClientOptions;
  readonly domain: string;
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
  const source: TokenSource = { options, domain: options.domain ?? defaultDomain };
  return clientStepInterceptor({
    name: 'auth',
    open(call) {
      const forwarded = options.forwardIncoming ? currentScope()?.principal?.token : undefined;
      return new AuthorizedCall(source, call, forwarded, call.options.deadline);
    },
  });
}

/**
 * One call's token: its start waits for it ('waiting'), then goes on ('started'), or the call
 * ends here ('closed': provider failure, deadline, cancellation) and the call below never starts.
 */
class AuthorizedCall implements ClientCallHooks {
  readonly #source: TokenSource;
  readonly #call: ClientStepCall;
  readonly #forwarded: string | undefined;
  readonly #deadline: Deadline | undefined;
  #state: 'waiting' | 'started' | 'closed' = 'waiting';
  #held: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(source: TokenSource, call: ClientStepCall, forwarded: string | undefined, deadline?: Deadline) {
    this.#source = source;
    this.#call = call;
    this.#forwarded = forwarded;
    this.#deadline = deadline;
  }

  start(metadata: Metadata, next: (metadata: Metadata) => void): void {
    if (metadata.get('authorization').length > 0) return this.#begin(metadata, next, undefined);
    if (this.#forwarded !== undefined) return this.#begin(metadata, next, this.#forwarded);
    const { provider } = this.#source.options;
    if (!provider) return this.#unavailable(new Error('no incoming token to forward and no token provider'));
    const cached = provider.cachedToken?.();
    if (cached) return this.#begin(metadata, next, cached.token);

    const deadline = epochMsOf(this.#deadline);
    if (deadline !== undefined) {
      this.#timer = setTimeout(
        () =>
          this.#close({
            code: GrpcStatus.DEADLINE_EXCEEDED,
            details: 'Deadline exceeded while obtaining an access token',
          }),
        Math.max(0, deadline - Date.now()),
      );
    }
    Promise.resolve()
      .then(() => provider.getToken())
      .then(
        (accessToken) => this.#begin(metadata, next, accessToken.token),
        (error: unknown) => this.#unavailable(error),
      );
  }

  sendMessage(message: unknown, next: (message: unknown) => void): void {
    if (this.#state === 'started') next(message);
    else if (this.#state === 'waiting') this.#held.push(() => next(message));
  }

  halfClose(next: () => void): void {
    if (this.#state === 'started') next();
    else if (this.#state === 'waiting') this.#held.push(next);
  }

  cancel(next: () => void): void {
    if (this.#state !== 'waiting') return next();
    this.#close({ code: GrpcStatus.CANCELLED, details: 'Cancelled on client', metadata: new Metadata() });
  }

  #begin(metadata: Metadata, next: (metadata: Metadata) => void, token: string | undefined): void {
    if (this.#state !== 'waiting') return;
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    this.#state = 'started';
    clearTimeout(this.#timer);
    next(metadata);
    const operations = this.#held;
    this.#held = [];
    for (const operation of operations) operation();
  }

  #unavailable(error: unknown): void {
    this.#source.options.onTokenError?.(error);
    this.#close(statusOf(tokenUnavailableError(error, this.#source.domain)));
  }

  // Ends the call below too (its deadline timer, its resolver), which never started.
  #close(status: StepStatus): void {
    if (this.#state !== 'waiting') return;
    this.#state = 'closed';
    this.#held = [];
    clearTimeout(this.#timer);
    this.#call.fail(status);
  }
}
