import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  PermissionDeniedError,
  UnauthenticatedError,
  UnavailableError,
  type PlatformError,
} from '@platform/core';
import { AuthErrorReason } from './auth-options.js';
import { contractRoleName } from './contract-role-name.js';

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
