import { currentScope, type Principal } from '@platform/core';
import { AuthErrorReason } from '../../call/auth-errors.js';
import { authError } from '../../call/auth-errors.js';

/** The principal of the work being handled, or `undefined` (a public method, or outside a call). */
export function currentPrincipal(): Principal | undefined {
  return currentScope()?.principal;
}

/**
 * The principal of the call being handled; throws `UnauthenticatedError` (`TOKEN_MISSING`)
 * when there is none, for handlers of methods the auth interceptor leaves public.
 */
export function requirePrincipal(): Principal {
  const principal = currentPrincipal();
  if (!principal) throw authError(AuthErrorReason.TOKEN_MISSING);
  return principal;
}
