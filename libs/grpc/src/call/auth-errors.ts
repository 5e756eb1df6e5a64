import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
  type PlatformError,
} from '@platform/core';
import { contractRoleName } from './contract-role-name.js';

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

export type UnauthenticatedReason = Exclude<AuthErrorReason, 'ROLE_REQUIRED'>;

// One fixed message per reason: it says what kind of problem, never what the token was.
const messages: Readonly<Record<UnauthenticatedReason, string>> = {
  TOKEN_MISSING: 'Authentication required',
  TOKEN_MALFORMED: 'Malformed authorization: expected a bearer token',
  TOKEN_INVALID: 'Invalid access token',
  TOKEN_EXPIRED: 'Access token expired',
  TOKEN_NOT_YET_VALID: 'Access token not yet valid',
  TOKEN_AUDIENCE_MISMATCH: 'Access token not issued for this service',
  TOKEN_ISSUER_MISMATCH: 'Access token from an untrusted issuer',
  TOKEN_KEY_UNKNOWN: 'Access token signed with an unknown key',
  TOKEN_ALGORITHM_REJECTED: 'Access token algorithm not accepted',
  TOKEN_UNAVAILABLE: 'Could not obtain an access token',
};

/** The UNAUTHENTICATED error for a reason, with its fixed message. */
export function authError(reason: UnauthenticatedReason, domain?: string): UnauthenticatedError {
  return new UnauthenticatedError(messages[reason], domain === undefined ? { reason } : { reason, domain });
}

/**
 * Why a call could not get a token: the token endpoint is unreachable (its call failed
 * UNAVAILABLE or DEADLINE_EXCEEDED) is UNAVAILABLE, as a caller must see a dependency outage;
 * anything else (refused credentials, a broken provider) is UNAUTHENTICATED. The message never
 * carries the provider's error.
 */
export function tokenUnavailableError(cause: unknown, domain?: string): PlatformError {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new UnavailableError(messages.TOKEN_UNAVAILABLE, {
      reason: AuthErrorReason.TOKEN_UNAVAILABLE,
      ...(domain !== undefined && { domain }),
    });
  }
  return authError(AuthErrorReason.TOKEN_UNAVAILABLE, domain);
}

/** PERMISSION_DENIED for a principal holding none of `requiredRoles`. */
export function roleRequiredError(requiredRoles: readonly string[]): PermissionDeniedError {
  return new PermissionDeniedError('Permission denied: a required role is missing', {
    reason: AuthErrorReason.ROLE_REQUIRED,
    metadata: { requiredRoles: requiredRoles.map(contractRoleName).join(',') },
  });
}
