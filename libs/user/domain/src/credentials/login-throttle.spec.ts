import { ResourceExhaustedError } from '@platform/core';
import { describe, expect, it } from 'vitest';
import { loginThrottleDefaults } from './login-throttle-options.js';
import { LoginThrottle } from './login-throttle.js';

const minute = 60_000;

function setup(options: ConstructorParameters<typeof LoginThrottle>[0] = {}) {
  const time = { now: 1_700_000_000_000 };
  const throttle = new LoginThrottle({ clock: () => time.now, ...options });
  return { time, throttle };
}

/** The error `assertAllowed` throws, or undefined when the attempt is allowed. */
function refusal(throttle: LoginThrottle, attempt: { email: string; peer: string }) {
  try {
    throttle.assertAllowed(attempt);
    return undefined;
  } catch (error) {
    return error as ResourceExhaustedError;
  }
}

const ada = { email: 'ada@example.com', peer: 'ipv4:192.0.2.1:50000' };

describe('LoginThrottle', () => {
  it('allows 5 failures per account in 15 minutes by default, then refuses with RetryInfo', () => {
    const { time, throttle } = setup();
    for (let index = 0; index < 5; index += 1) {
      expect(refusal(throttle, ada)).toBeUndefined();
      throttle.recordFailure(ada);
      time.now += minute;
    }
    const error = refusal(throttle, ada);
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect(error?.reason).toBe('LOGIN_THROTTLED');
    // The first failure was 5 minutes ago: it leaves the 15-minute window in 10.
    expect(error?.retryDelayMs).toBe(10 * minute);
    expect(error?.statusDetails.retryInfo?.retryDelay).toEqual({ seconds: '600', nanos: 0 });
    expect(error?.statusDetails.quotaFailure?.violations).toEqual([
      expect.objectContaining({
        subject: 'account',
        description: 'at most 5 failed sign-ins per account in 15 minutes',
      }),
    ]);
  });

  it('allows the account again once its oldest failure leaves the window', () => {
    const { time, throttle } = setup({ maxFailuresPerAccount: 2, windowMs: 10 * minute });
    throttle.recordFailure(ada);
    time.now += minute;
    throttle.recordFailure(ada);
    time.now += 9 * minute - 1;
    expect(refusal(throttle, ada)?.retryDelayMs).toBe(1);
    time.now += 1;
    expect(refusal(throttle, ada)).toBeUndefined();
  });

  it('says nothing about whether the account exists', () => {
    const { throttle } = setup({ maxFailuresPerAccount: 1 });
    throttle.recordFailure(ada);
    const error = refusal(throttle, ada);
    expect(error?.message).toBe('Too many failed sign-in attempts; try again in 900 s');
    expect(JSON.stringify(error?.statusDetails)).not.toMatch(/ada@example\.com|exist|unknown|not found/i);
  });

  it('counts an email trimmed and case-insensitively', () => {
    const { throttle } = setup({ maxFailuresPerAccount: 2 });
    throttle.recordFailure({ ...ada, email: 'Ada@Example.com' });
    throttle.recordFailure({ ...ada, email: '  ada@example.COM ' });
    expect(refusal(throttle, { ...ada, peer: 'ipv4:198.51.100.9:1' })).toBeInstanceOf(ResourceExhaustedError);
    expect(refusal(throttle, { ...ada, email: 'grace@example.com' })).toBeUndefined();
  });

  it('refuses a peer that failed too often, whatever the accounts, ports aside', () => {
    const { throttle } = setup({ maxFailuresPerPeer: 3 });
    for (const name of ['a', 'b', 'c'])
      throttle.recordFailure({ email: `${name}@example.com`, peer: `ipv4:192.0.2.1:${name.charCodeAt(0)}` });
    const error = refusal(throttle, { email: 'someone-else@example.com', peer: 'ipv4:192.0.2.1:65000' });
    expect(error?.statusDetails.quotaFailure?.violations).toEqual([
      expect.objectContaining({ subject: 'peer' }),
    ]);
    expect(
      refusal(throttle, { email: 'someone-else@example.com', peer: 'ipv4:192.0.2.2:65000' }),
    ).toBeUndefined();
  });

  it('retries after the longer delay when both the account and the peer are over their limits', () => {
    const { time, throttle } = setup({
      maxFailuresPerAccount: 1,
      maxFailuresPerPeer: 2,
      windowMs: 10 * minute,
    });
    throttle.recordFailure({ email: 'grace@example.com', peer: ada.peer });
    time.now += 2 * minute;
    throttle.recordFailure(ada);
    const error = refusal(throttle, ada);
    expect(error?.retryDelayMs).toBe(10 * minute);
    expect(error?.statusDetails.quotaFailure?.violations.map((violation) => violation.subject)).toEqual([
      'account',
      'peer',
    ]);
  });

  it("clears the account's failures on success, but not the peer's", () => {
    const { throttle } = setup({ maxFailuresPerAccount: 2, maxFailuresPerPeer: 3 });
    throttle.recordFailure(ada);
    throttle.recordSuccess(ada);
    throttle.recordFailure(ada);
    expect(refusal(throttle, ada)).toBeUndefined();
    throttle.recordFailure({ ...ada, email: 'grace@example.com' });
    expect(refusal(throttle, ada)?.statusDetails.quotaFailure?.violations).toEqual([
      expect.objectContaining({ subject: 'peer' }),
    ]);
  });

  it('keeps service client ids apart from emails', () => {
    const { throttle } = setup({ maxFailuresPerAccount: 1 });
    throttle.recordFailure({ email: 'client:order-service', peer: ada.peer });
    expect(refusal(throttle, { email: 'client:order-service', peer: 'unix:/run/app.sock' })).toBeDefined();
    expect(refusal(throttle, { email: 'order-service', peer: 'unix:/run/app.sock' })).toBeUndefined();
  });

  it('forgets the accounts that failed longest ago beyond maxEntries', () => {
    const { time, throttle } = setup({ maxFailuresPerAccount: 1, maxEntries: 2, maxFailuresPerPeer: 100 });
    for (const email of ['a@x.io', 'b@x.io', 'c@x.io']) {
      throttle.recordFailure({ email, peer: ada.peer });
      time.now += 1;
    }
    expect(refusal(throttle, { email: 'a@x.io', peer: ada.peer })).toBeUndefined();
    expect(refusal(throttle, { email: 'b@x.io', peer: ada.peer })).toBeDefined();
    expect(refusal(throttle, { email: 'c@x.io', peer: ada.peer })).toBeDefined();
  });

  it('documents its defaults', () => {
    expect(loginThrottleDefaults).toEqual({
      maxFailuresPerAccount: 5,
      maxFailuresPerPeer: 50,
      windowMs: 900_000,
      maxEntries: 10_000,
    });
  });

  it.each([
    [{ maxFailuresPerAccount: 0 }, 'maxFailuresPerAccount must be a positive integer, got 0'],
    [{ maxFailuresPerPeer: 1.5 }, 'maxFailuresPerPeer must be a positive integer, got 1.5'],
    [{ windowMs: -1 }, 'windowMs must be a positive integer, got -1'],
    [{ maxEntries: Number.NaN }, 'maxEntries must be a positive integer, got NaN'],
  ])('refuses the options %o', (options, message) => {
    expect(() => new LoginThrottle(options)).toThrow(message);
  });
});
