import { currentCall, type Principal } from '../context/call-context.js';
import { AuthErrorReason } from './auth-options.js';
import { authError } from './auth-errors.js';

/** The principal of the call being handled, or `undefined` (a public method, or outside a call). */
export function currentPrincipal(): Principal | undefined {
  return currentCall()?.principal;
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
