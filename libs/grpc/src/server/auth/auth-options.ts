import type { Principal } from '@platform/core';
import type { MethodInfo } from '../../call/method-info.js';
import type { MethodSelector } from '../../call/method-selector.js';

/**
 * Checks a bearer token and says who it belongs to. Rejects a bad token with an
 * `UnauthenticatedError` carrying one of the `AuthErrorReason`s; any other
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
