import { describe, expect, it } from 'vitest';
import type { AccessToken } from './auth-client-options.js';
import { RefreshingTokenProvider } from './token-provider.js';

/** A token endpoint the test controls: counts fetches, answers when released. */
function endpoint(clock: () => number, lifetimeMs = 60_000) {
  const state = {
    fetches: 0,
    fail: false,
    pending: [] as (() => void)[],
    manual: false,
  };
  const fetchToken = () =>
    new Promise<AccessToken>((resolve, reject) => {
      state.fetches += 1;
      const answer = () =>
        state.fail
          ? reject(new Error('token endpoint down'))
          : resolve({ token: `token-${state.fetches}`, expiresAt: clock() + lifetimeMs });
      if (state.manual) state.pending.push(answer);
      else answer();
    });
  return {
    state,
    fetchToken,
    release: () => {
      for (const answer of state.pending.splice(0)) answer();
    },
  };
}

describe('RefreshingTokenProvider', () => {
  it('has a single refresh in flight under 20 concurrent callers', async () => {
    const now = 1_000_000;
    const server = endpoint(() => now);
    server.state.manual = true;
    const provider = new RefreshingTokenProvider(server.fetchToken, { clock: () => now });

    const callers = Array.from({ length: 20 }, () => provider.getToken());
    await Promise.resolve();
    server.release();
    const tokens = await Promise.all(callers);

    expect(server.state.fetches).toBe(1);
    expect(new Set(tokens.map((token) => token.token))).toEqual(new Set(['token-1']));
  });

  it('hands out the cached token at once only while it needs no refresh', async () => {
    let now = 1_000_000;
    const server = endpoint(() => now, 120_000);
    const provider = new RefreshingTokenProvider(server.fetchToken, {
      clock: () => now,
      refreshBeforeMs: 30_000,
    });

    expect(provider.cachedToken()).toBeUndefined();
    await provider.getToken();
    now += 89_000;
    expect(provider.cachedToken()?.token).toBe('token-1');
    now += 1_000; // 30 s before expiry: getToken refreshes
    expect(provider.cachedToken()).toBeUndefined();
    expect(server.state.fetches).toBe(1);
  });

  it('serves the cached token, then refreshes refreshBeforeMs before expiry', async () => {
    let now = 1_000_000;
    const server = endpoint(() => now, 120_000);
    const provider = new RefreshingTokenProvider(server.fetchToken, {
      clock: () => now,
      refreshBeforeMs: 30_000,
    });

    expect((await provider.getToken()).token).toBe('token-1');
    now += 89_000;
    expect((await provider.getToken()).token).toBe('token-1');
    now += 1_000; // 30 s before expiry
    expect((await provider.getToken()).token).toBe('token-2');
    expect(server.state.fetches).toBe(2);
  });

  it('refreshes short-lived tokens halfway through their life', async () => {
    let now = 1_000_000;
    const server = endpoint(() => now, 20_000);
    const provider = new RefreshingTokenProvider(server.fetchToken, {
      clock: () => now,
      refreshBeforeMs: 30_000,
    });

    await provider.getToken();
    now += 5_000;
    expect((await provider.getToken()).token).toBe('token-1');
    now += 5_000;
    expect((await provider.getToken()).token).toBe('token-2');
  });

  it('does not cache a failure: the next call fetches again', async () => {
    const now = 1_000_000;
    const server = endpoint(() => now);
    const provider = new RefreshingTokenProvider(server.fetchToken, { clock: () => now });

    server.state.fail = true;
    await expect(provider.getToken()).rejects.toThrow('token endpoint down');
    server.state.fail = false;
    expect((await provider.getToken()).token).toBe('token-2');
    expect(server.state.fetches).toBe(2);
  });

  it('keeps handing out a token that has not expired while refreshes fail', async () => {
    let now = 1_000_000;
    const server = endpoint(() => now, 60_000);
    const provider = new RefreshingTokenProvider(server.fetchToken, { clock: () => now });

    await provider.getToken();
    server.state.fail = true;
    now += 45_000;
    expect((await provider.getToken()).token).toBe('token-1');
    now += 15_000; // expired now
    await expect(provider.getToken()).rejects.toThrow('token endpoint down');
    expect(server.state.fetches).toBe(3);
  });

  it('refuses an answer without a token or expiry', async () => {
    const provider = new RefreshingTokenProvider(async () => ({ token: '', expiresAt: Date.now() + 1000 }));
    await expect(provider.getToken()).rejects.toThrow(/no token/);
  });
});
