/** Options of `LoginThrottle`. Every limit counts failed sign-ins only. */
export interface LoginThrottleOptions {
  /**
   * Failed sign-ins per account (email, case-insensitive; or service client id) within `windowMs`
   * after which the account is refused until the oldest of them leaves the window. Defaults to 5.
   */
  maxFailuresPerAccount?: number;
  /**
   * Failed sign-ins per peer address (an IPv4 address, an IPv6 /64 network, or the local socket)
   * within `windowMs`, whatever the accounts tried. Defaults to 50.
   */
  maxFailuresPerPeer?: number;
  /** The sliding window failures are counted in, milliseconds. Defaults to 900 000 (15 minutes). */
  windowMs?: number;
  /**
   * Most accounts, and separately most peers, tracked at once. Beyond it the one whose last
   * failure is oldest is forgotten; entries without a failure in the window are dropped
   * earlier. Defaults to 10 000.
   */
  maxEntries?: number;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
}

/** The defaults of {@link LoginThrottleOptions}. */
export const loginThrottleDefaults = {
  maxFailuresPerAccount: 5,
  maxFailuresPerPeer: 50,
  windowMs: 15 * 60 * 1000,
  maxEntries: 10_000,
} as const;

/** `options` with the defaults filled in; throws an `Error` naming a limit that is not a positive integer. */
export function resolveLoginThrottleOptions(options: LoginThrottleOptions): Required<LoginThrottleOptions> {
  const resolved = { ...loginThrottleDefaults, clock: Date.now, ...options };
  for (const name of ['maxFailuresPerAccount', 'maxFailuresPerPeer', 'windowMs', 'maxEntries'] as const) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  return resolved;
}
