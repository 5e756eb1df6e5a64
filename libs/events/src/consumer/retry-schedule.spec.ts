import { describe, expect, it } from 'vitest';
import { retryHeaders } from './dead-letter-headers.js';
import { PermanentEventError } from './permanent-event-error.js';
import { backoffDelayMs, deliveryOf, RetrySchedule, type RetryPolicy } from './retry-schedule.js';

const policy: RetryPolicy = { handlerAttempts: 3, backoffMs: 100, retryDelaysMs: [1_000, 10_000] };
const firstDelivery = { attemptsBefore: 0, pass: 0 };

/** A schedule whose backoffs are recorded instead of slept (jitter fixed at its middle). */
function schedule(stop = new AbortController(), options: Partial<RetryPolicy> = {}) {
  const sleeps: number[] = [];
  const retries = new RetrySchedule(
    { ...policy, ...options },
    {
      stopping: stop.signal,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
  );
  return { retries, sleeps };
}

/** An attempt that fails with `errors` in turn, then succeeds; records the attempt numbers it got. */
function failing(...errors: unknown[]) {
  const attempts: number[] = [];
  return {
    attempts,
    attempt: async (number: number) => {
      attempts.push(number);
      const error = errors.shift();
      if (error !== undefined) throw error;
      return true;
    },
  };
}

describe('RetrySchedule', () => {
  it('applies on the first attempt without a backoff', async () => {
    const { retries, sleeps } = schedule();
    const { attempt, attempts } = failing();
    expect(await retries.run(firstDelivery, attempt)).toEqual({ kind: 'applied', applied: true });
    expect(attempts).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('passes on a duplicate (the inbox found the event applied)', async () => {
    const { retries } = schedule();
    expect(await retries.run(firstDelivery, async () => false)).toEqual({ kind: 'applied', applied: false });
  });

  it('retries a transient failure in process with doubling backoff, counting each retry', async () => {
    const { retries, sleeps } = schedule();
    const { attempt, attempts } = failing(new Error('briefly down'), new Error('briefly down'));
    let counted = 0;
    const verdict = await retries.run(firstDelivery, attempt, () => counted++);
    expect(verdict).toEqual({ kind: 'applied', applied: true });
    expect(attempts).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([100, 200]);
    expect(counted).toBe(2);
  });

  it('sends a record whose attempts ran out to the next retry-topic pass, with its delay', async () => {
    const { retries, sleeps } = schedule();
    const last = new Error('third failure');
    const { attempt, attempts } = failing(new Error('1'), new Error('2'), last);
    expect(await retries.run(firstDelivery, attempt)).toEqual({
      kind: 'retry-topic',
      pass: 1,
      delayMs: 1_000,
      attempts: 3,
      error: last,
    });
    expect(attempts).toEqual([1, 2, 3]);
    // No backoff after the last in-process attempt: the retry topic does the waiting.
    expect(sleeps).toEqual([100, 200]);
  });

  it('numbers the attempts of a later pass after those of earlier deliveries', async () => {
    const { retries } = schedule();
    const { attempt, attempts } = failing(new Error('1'), new Error('2'), new Error('3'));
    const verdict = await retries.run({ attemptsBefore: 3, pass: 1 }, attempt);
    expect(attempts).toEqual([4, 5, 6]);
    expect(verdict).toMatchObject({ kind: 'retry-topic', pass: 2, delayMs: 10_000, attempts: 6 });
  });

  it('dead-letters after the last retry-topic pass (retries-exhausted)', async () => {
    const { retries } = schedule();
    const last = new Error('still failing');
    const { attempt } = failing(new Error('1'), new Error('2'), last);
    expect(await retries.run({ attemptsBefore: 6, pass: 2 }, attempt)).toEqual({
      kind: 'dead-letter',
      reason: 'retries-exhausted',
      attempts: 9,
      error: last,
    });
  });

  it('dead-letters at once without a retry topic (no delays configured)', async () => {
    const { retries } = schedule(undefined, { retryDelaysMs: [], handlerAttempts: 1 });
    const { attempt } = failing(new Error('down'));
    expect(await retries.run(firstDelivery, attempt)).toMatchObject({
      kind: 'dead-letter',
      reason: 'retries-exhausted',
      attempts: 1,
    });
  });

  it.each([
    ['a PermanentEventError', new PermanentEventError('can never succeed')],
    ['an error marked permanent', Object.assign(new Error('bad input'), { permanent: true })],
  ])('dead-letters %s at once, whatever attempts are left', async (_name, error) => {
    const { retries, sleeps } = schedule();
    const { attempt, attempts } = failing(new Error('transient first'), error);
    expect(await retries.run({ attemptsBefore: 3, pass: 1 }, attempt)).toEqual({
      kind: 'dead-letter',
      reason: 'permanent-error',
      attempts: 5,
      error,
    });
    expect(attempts).toEqual([4, 5]);
    expect(sleeps).toEqual([100]);
  });

  it('makes no further attempt once the consumer stops: the record is left for redelivery', async () => {
    const stop = new AbortController();
    const { retries, sleeps } = schedule(stop);
    const error = new Error('gave up on stopping');
    const attempts: number[] = [];
    const verdict = await retries.run(firstDelivery, async (number) => {
      attempts.push(number);
      stop.abort(new Error('the consumer is stopping'));
      throw error;
    });
    expect(verdict).toEqual({ kind: 'redeliver', error });
    expect(attempts).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('ends a backoff early when the stop begins during it, without another attempt', async () => {
    const stop = new AbortController();
    const attempts: number[] = [];
    const retries = new RetrySchedule(policy, {
      stopping: stop.signal,
      sleep: async () => stop.abort(new Error('the consumer is stopping')),
    });
    const verdict = await retries.run(firstDelivery, async (number) => {
      attempts.push(number);
      throw new Error('down');
    });
    expect(verdict.kind).toBe('redeliver');
    expect(attempts).toEqual([1]);
  });
});

describe('backoffDelayMs', () => {
  it('doubles per attempt and jitters between 50 % and 150 % of it', () => {
    expect([1, 2, 3].map((attempt) => backoffDelayMs(attempt, 100, () => 0))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((attempt) => backoffDelayMs(attempt, 100, () => 1))).toEqual([150, 300, 600]);
  });
});

describe('deliveryOf', () => {
  it('reads the attempts and passes of earlier deliveries from the retry headers', () => {
    expect(deliveryOf({})).toEqual({ attemptsBefore: 0, pass: 0 });
    expect(deliveryOf({ [retryHeaders.attempts]: '6', [retryHeaders.pass]: '2' })).toEqual({
      attemptsBefore: 6,
      pass: 2,
    });
  });
});
