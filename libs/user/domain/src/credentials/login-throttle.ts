import { ResourceExhaustedError, type QuotaViolation } from '@platform/core';
import { FailureWindow } from './failure-window.js';
import { resolveLoginThrottleOptions, type LoginThrottleOptions } from './login-throttle-options.js';
import { peerAddress } from './peer-address.js';

/** One sign-in attempt: the account it names and the grpc-js peer it comes from. */
export interface LoginAttempt {
  /** An email, or `client:<client id>` for service clients. */
  email: string;
  /** grpc-js peer string: `ipv4:127.0.0.1:54321`, `ipv6:[::1]:5000`, `unix:/path`. */
  peer: string;
}

const failures = (count: number) => `${count} failed sign-in${count === 1 ? '' : 's'}`;

function describeDuration(ms: number): string {
  const [amount, unit] = ms % 60_000 === 0 ? [ms / 60_000, 'minute'] : [Math.ceil(ms / 1000), 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/**
 * Slows down password guessing: failed sign-ins are counted per account and per peer address in
 * a sliding window (by default 5 per account and 50 per peer in 15 minutes). Past a limit,
 * attempts are refused with RESOURCE_EXHAUSTED `LOGIN_THROTTLED` and a RetryInfo until the
 * oldest counted failure leaves the window: a steady guesser gets the limit per window, no more.
 * The answer is the same for accounts that do not exist (their failures count alike), so it
 * tells nothing about which emails have accounts.
 *
 * State is in memory, per process: each replica counts on its own. A sliding window was chosen
 * over exponential lockout so that someone else's guesses lock a legitimate user out for one
 * window at most after they stop, where an exponential lockout grows with every guess.
 */
export class LoginThrottle {
  private readonly accounts: FailureWindow;
  private readonly peers: FailureWindow;
  private readonly clock: () => number;
  private readonly limits: { account: number; peer: number; windowMs: number };

  /** Throws an `Error` when a limit is not a positive integer. */
  constructor(options: LoginThrottleOptions = {}) {
    const resolved = resolveLoginThrottleOptions(options);
    this.accounts = new FailureWindow(resolved.maxFailuresPerAccount, resolved.windowMs, resolved.maxEntries);
    this.peers = new FailureWindow(resolved.maxFailuresPerPeer, resolved.windowMs, resolved.maxEntries);
    this.clock = resolved.clock;
    this.limits = {
      account: resolved.maxFailuresPerAccount,
      peer: resolved.maxFailuresPerPeer,
      windowMs: resolved.windowMs,
    };
  }

  /** Throws a `ResourceExhaustedError` (`LOGIN_THROTTLED`) when the account or the peer has failed too often. */
  assertAllowed(attempt: LoginAttempt): void {
    const now = this.clock();
    const accountDelayMs = this.accounts.retryDelayMs(accountKey(attempt.email), now);
    const peerDelayMs = this.peers.retryDelayMs(peerAddress(attempt.peer), now);
    if (accountDelayMs === 0 && peerDelayMs === 0) return;
    const violations: QuotaViolation[] = [];
    const window = describeDuration(this.limits.windowMs);
    if (accountDelayMs > 0) {
      violations.push({
        subject: 'account',
        description: `at most ${failures(this.limits.account)} per account in ${window}`,
      });
    }
    if (peerDelayMs > 0) {
      violations.push({
        subject: 'peer',
        description: `at most ${failures(this.limits.peer)} per client address in ${window}`,
      });
    }
    const retryDelayMs = Math.max(accountDelayMs, peerDelayMs);
    throw new ResourceExhaustedError(
      `Too many failed sign-in attempts; try again in ${Math.ceil(retryDelayMs / 1000)} s`,
      { retryDelayMs, violations },
      { reason: 'LOGIN_THROTTLED' },
    );
  }

  /** Counts a failed sign-in against the account and the peer. */
  recordFailure(attempt: LoginAttempt): void {
    const now = this.clock();
    this.accounts.record(accountKey(attempt.email), now);
    this.peers.record(peerAddress(attempt.peer), now);
  }

  /**
   * Forgets the account's failures. The peer's stay: signing in to one's own account must not
   * reset the count of guesses at others.
   */
  recordSuccess(attempt: LoginAttempt): void {
    this.accounts.clear(accountKey(attempt.email));
  }
}

/** Emails count as the account lookup finds them: trimmed, and case-insensitively. */
function accountKey(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}
