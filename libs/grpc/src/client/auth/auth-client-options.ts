/** Something that hands out access tokens: a service's own credentials. */
export interface TokenProvider {
  /** A token valid now; `expiresAt` in epoch milliseconds. */
  getToken(): Promise<AccessToken>;
  /**
   * The token `getToken` would resolve to at once, when it has one cached that needs no
   * refresh; `undefined` otherwise. Optional: with it, a call sends its token without waiting a
   * promise (and without the deadline timer that waiting needs).
   */
  cachedToken?(): AccessToken | undefined;
}

/** An access token and when it expires (epoch milliseconds). */
export interface AccessToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Options of `RefreshingTokenProvider`. */
export interface RefreshingTokenProviderOptions {
  /**
   * Fetch a new token this many milliseconds before the current one expires, but not before
   * half its lifetime has passed (for tokens that live less than twice this). Defaults to 30 000.
   */
  refreshBeforeMs?: number;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
}

/**
 * Options of `authClientInterceptor`: where the outgoing `authorization: Bearer` token comes
 * from. An `authorization` value the caller set explicitly is sent as is.
 */
export type AuthClientOptions = (
  | {
      /** The service's own token (a service principal). */
      provider: TokenProvider;
      forwardIncoming?: false;
    }
  | {
      /**
       * Forward the token of the server call being handled (the end user's, from
       * `context.principal`), so the callee authorizes the user. Outside a server call, or
       * when the incoming call had no token, `provider` is used when given; without one the
       * call fails UNAUTHENTICATED (`TOKEN_UNAVAILABLE`) rather than going out without a token.
       */
      forwardIncoming: true;
      provider?: TokenProvider;
    }
) & {
  /** ErrorInfo domain of the client-side `TOKEN_UNAVAILABLE` error. Defaults to `auth.platform`. */
  domain?: string;
  /** Told why the provider failed (the call itself only says `TOKEN_UNAVAILABLE`), for logs. */
  onTokenError?: (error: unknown) => void;
};
