// The client side of authentication: the interceptor that sends a service's own token or
// forwards the caller's, and the refreshing token provider.
export { authClientInterceptor } from './auth-client.interceptor.js';
export type {
  AccessToken,
  AuthClientOptions,
  RefreshingTokenProviderOptions,
  TokenProvider,
} from './auth-client-options.js';
export { RefreshingTokenProvider } from './token-provider.js';
