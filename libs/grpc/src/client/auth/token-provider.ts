import type { AccessToken, RefreshingTokenProviderOptions, TokenProvider } from './auth-client-options.js';

const defaultRefreshBeforeMs = 30_000;

/**
 * A {@link TokenProvider} over a token endpoint (`fetchToken`: a client-credentials grant, the
 * user service's `Authenticate` …): the token is cached and fetched again before it expires.
 * - One fetch at a time: concurrent callers share its promise.
 * - The refresh starts `refreshBeforeMs` before expiry, but not before half the token's life
 *   has passed (so tokens that live less than `2 × refreshBeforeMs` are not fetched on every call).
 * - A failed fetch is not cached: the next call tries again. Meanwhile a token that has not
 *   expired yet is still handed out.
 */
export class RefreshingTokenProvider implements TokenProvider {
  private current: { token: AccessToken; refreshAt: number } | undefined;
  private inFlight: Promise<AccessToken> | undefined;
  private readonly refreshBeforeMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly fetchToken: () => Promise<AccessToken>,
    options: RefreshingTokenProviderOptions = {},
  ) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? defaultRefreshBeforeMs;
    this.clock = options.clock ?? Date.now;
  }

  cachedToken(): AccessToken | undefined {
    const current = this.current;
    return current && this.clock() < current.refreshAt ? current.token : undefined;
  }

  async getToken(): Promise<AccessToken> {
    const cached = this.cachedToken();
    if (cached) return cached;
    try {
      return await this.refresh();
    } catch (error) {
      const fallback = this.current;
      if (fallback && this.clock() < fallback.token.expiresAt) return fallback.token;
      throw error;
    }
  }

  private refresh(): Promise<AccessToken> {
    this.inFlight ??= (async () => {
      try {
        const fetchedAt = this.clock();
        const token = await this.fetchToken();
        if (typeof token?.token !== 'string' || token.token === '' || !Number.isFinite(token.expiresAt)) {
          throw new Error('fetchToken returned no token or no expiry');
        }
        const lifetime = token.expiresAt - fetchedAt;
        const refreshAt = Math.max(token.expiresAt - this.refreshBeforeMs, fetchedAt + lifetime / 2);
        this.current = { token: { token: token.token, expiresAt: token.expiresAt }, refreshAt };
        return this.current.token;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}
