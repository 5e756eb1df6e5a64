// Authentication and authorization: the server interceptor and its JWT verifier, the client
// interceptor and token providers, and the principal accessors for handlers.
export { authServerInterceptor } from './auth.interceptor.js';
export { authClientInterceptor } from './auth-client.interceptor.js';
export {
  AuthErrorReason,
  type AccessToken,
  type AuthClientOptions,
  type AuthServerOptions,
  type RefreshingTokenProviderOptions,
  type RequiredRoles,
  type TokenProvider,
  type TokenVerifier,
} from './auth-options.js';
export { JwtVerifier, type JwtKeySource, type JwtVerifierOptions } from './jwt-verifier.js';
export type { VerificationKey } from './key-store.js';
export { currentPrincipal, requirePrincipal } from './principal.js';
export { RefreshingTokenProvider } from './token-provider.js';
