// The server side of authentication and authorization: the interceptor, its JWT verifier and the
// principal accessors for handlers.
export { authServerInterceptor } from './auth.interceptor.js';
export type { AuthServerOptions, RequiredRoles, TokenVerifier } from './auth-options.js';
export { JwtVerifier, type JwtKeySource, type JwtVerifierOptions } from './jwt-verifier.js';
export type { VerificationKey } from './key-store.js';
export { currentPrincipal, requirePrincipal } from './principal.js';
