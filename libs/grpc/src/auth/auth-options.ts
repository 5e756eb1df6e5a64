import type { MethodInfo } from '../call/method-info.js';
import type { Principal } from '@platform/core';
import type { MethodSelector } from '../selector/method-selector.js';

/**
 * The ErrorInfo reasons of authentication and authorization failures. They are part of the
 * API: clients branch on them (with the ErrorInfo domain), so they never change meaning.
 * Messages stay generic and never echo the token.
 *
 * UNAUTHENTICATED (the caller must get a new or different token):
 * - `TOKEN_MISSING`: no `authorization` metadata (or a handler called `requirePrincipal()`
 *   on a public method);
 * - `TOKEN_MALFORMED`: not `Bearer <token>` (another scheme, no token, several values: the
 *   server must apply `keepRepeatedMetadata`, or Node hands over only the first), or the
 *   token is not a compact JWS, or its header has no `kid`;
 * - `TOKEN_INVALID`: the signature does not verify, or a required claim (`sub`, `exp`,
 *   `roles` as an array of strings) is missing or of the wrong type;
 * - `TOKEN_EXPIRED`: `exp` has passed (beyond the clock tolerance);
 * - `TOKEN_NOT_YET_VALID`: `nbf` is in the future (beyond the clock tolerance);
 * - `TOKEN_AUDIENCE_MISMATCH`: `aud` does not name this service;
 * - `TOKEN_ISSUER_MISMATCH`: `iss` is not a trusted issuer;
 * - `TOKEN_KEY_UNKNOWN`: no key with the token's `kid` (after reloading a JWKS file);
 * - `TOKEN_ALGORITHM_REJECTED`: `alg` is not allowed (`none` and HMAC never are), or does not
 *   match the key's `alg` / type;
 * - `TOKEN_UNAVAILABLE` (client side): the token provider failed, so the call was not sent.
 *
 * PERMISSION_DENIED:
 * - `ROLE_REQUIRED`: the token is valid but holds none of the method's roles; ErrorInfo
 *   metadata `requiredRoles` lists them, comma-separated, as platform.user.v1.Role spells them
 *   (`ROLE_SERVICE`; a role the enum lacks as the token has it).
 */
export const AuthErrorReason = {
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  TOKEN_AUDIENCE_MISMATCH: 'TOKEN_AUDIENCE_MISMATCH',
  TOKEN_ISSUER_MISMATCH: 'TOKEN_ISSUER_MISMATCH',
  TOKEN_KEY_UNKNOWN: 'TOKEN_KEY_UNKNOWN',
  TOKEN_ALGORITHM_REJECTED: 'TOKEN_ALGORITHM_REJECTED',
  TOKEN_UNAVAILABLE: 'TOKEN_UNAVAILABLE',
  ROLE_REQUIRED: 'ROLE_REQUIRED',
} as const;

export type AuthErrorReason = (typeof AuthErrorReason)[keyof typeof AuthErrorReason];

/**
 * Checks a bearer token and says who it belongs to. Rejects a bad token with an
 * `UnauthenticatedError` carrying one of the {@link AuthErrorReason}s; any other
 * `PlatformError` (an `UnavailableError` from a remote introspection endpoint, say) is sent as
 * is, and any other failure is the verifier's own fault: the call fails INTERNAL.
 */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** Roles a method requires: a principal passes when it holds any of them. */
export type RequiredRoles =
  | ((method: MethodInfo) => readonly string[] | undefined)
  /** By full method path (`/platform.user.v1.UserService/ListUsers`) or fully qualified service. */
  | Readonly<Record<string, readonly string[]>>;

/** Options of `authServerInterceptor`. */
export interface AuthServerOptions {
  /** Checks the bearer token, for example a `JwtVerifier`. */
  verifier: TokenVerifier;
  /**
   * Methods that require a token. Defaults to `not(infrastructureMethods)` (health and
   * reflection stay open); leave the service's public methods out too, for example
   * `not(anyOf(infrastructureMethods, methodsIn('/platform.user.v1.UserService/Authenticate')))`.
   */
  selector?: MethodSelector;
  /**
   * Roles per method. No entry (or `undefined`, or an empty list) means any valid token will
   * do. A record entry for a full path wins over one for its service.
   */
  requiredRoles?: RequiredRoles;
  /**
   * Verified tokens kept (LRU, by token string) until they expire, so the hot path does not
   * check signatures again (a principal without `expiresAt` is not cached). 0 turns the cache
   * off. Defaults to 10 000. A cached token stays accepted until it expires even if its key is
   * withdrawn from the JWKS meanwhile.
   */
  cacheSize?: number;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
}

/** Something that hands out access tokens: a service's own credentials. */
export interface TokenProvider {
  /** A token valid now; `expiresAt` in epoch milliseconds. */
  getToken(): Promise<AccessToken>;
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
