import { retryHeaders } from './dead-letter-headers.js';
import { isPermanent } from './permanent-event-error.js';

/** How often and how late a failing handler is tried again. */
export interface RetryPolicy {
  /** In-process attempts per delivery before the retry topic (`EVENTS_HANDLER_ATTEMPTS`). */
  readonly handlerAttempts: number;
  /** First in-process backoff in ms; it doubles per attempt and is jittered to 50-150 %. */
  readonly backoffMs: number;
  /** Delay of each retry-topic pass in ms; after the last pass, the dead-letter topic. */
  readonly retryDelaysMs: readonly number[];
}

/** What earlier deliveries of a record did (read from its retry headers; zero on a first delivery). */
export interface Delivery {
  /** Attempts made before this delivery, in-process ones included. */
  readonly attemptsBefore: number;
  /** Retry-topic passes made so far. */
  readonly pass: number;
}

/** How a record's attempts ended. */
export type AttemptVerdict =
  /** An attempt succeeded: `applied` false when the inbox found the event already applied. */
  | { readonly kind: 'applied'; readonly applied: boolean }
  /** Park it in the dead-letter topic. `attempts` counts every attempt of every delivery. */
  | {
      readonly kind: 'dead-letter';
      readonly reason: 'permanent-error' | 'retries-exhausted';
      readonly attempts: number;
      readonly error: unknown;
    }
  /** Send it through the retry topic as pass `pass`, due in `delayMs`. */
  | {
      readonly kind: 'retry-topic';
      readonly pass: number;
      readonly delayMs: number;
      readonly attempts: number;
      readonly error: unknown;
    }
  /** The consumer began to stop while it failed: no further attempt, leave it for the group. */
  | { readonly kind: 'redeliver'; readonly error: unknown };

/** Collaborators of {@link RetrySchedule}; the defaults are the real clock and randomness. */
export interface RetryScheduleOptions {
  /** Aborts when the consumer begins to stop: no attempt starts after it, backoffs end early. */
  readonly stopping: AbortSignal;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

/** The retry headers of a record as a {@link Delivery}. */
export function deliveryOf(headers: Readonly<Record<string, string>>): Delivery {
  return {
    attemptsBefore: Number(headers[retryHeaders.attempts] ?? 0),
    pass: Number(headers[retryHeaders.pass] ?? 0),
  };
}

/** The wait before in-process attempt `attempt + 1`: `backoffMs * 2^(attempt-1)`, jittered to 50-150 %. */
export function backoffDelayMs(
  attempt: number,
  backoffMs: number,
  random: () => number = Math.random,
): number {
  const base = backoffMs * 2 ** (attempt - 1);
  return base / 2 + random() * base;
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Attempt and retry scheduling of one record: up to `handlerAttempts` attempts in process with
 * backoff; a {@link PermanentEventError} goes to the dead-letter topic at once; when the
 * attempts run out, the next retry-topic pass, or after the last one the dead-letter topic.
 */
export class RetrySchedule {
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly options: RetryScheduleOptions,
  ) {
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
  }

  /**
   * Runs `attempt` (given the attempt's number across deliveries, 1 for the very first) until one
   * succeeds or the schedule says where the record goes instead. `onRetry` is called before each
   * in-process retry (the `events_retried_total{stage="in_process"}` count).
   */
  async run(
    delivery: Delivery,
    attempt: (number: number) => Promise<boolean>,
    onRetry: () => void = () => undefined,
  ): Promise<AttemptVerdict> {
    const { handlerAttempts, backoffMs, retryDelaysMs } = this.policy;
    const { stopping } = this.options;
    let lastError: unknown;
    for (let tried = 1; tried <= handlerAttempts; tried++) {
      try {
        return { kind: 'applied', applied: await attempt(delivery.attemptsBefore + tried) };
      } catch (error) {
        lastError = error;
        if (isPermanent(error)) {
          return {
            kind: 'dead-letter',
            reason: 'permanent-error',
            attempts: delivery.attemptsBefore + tried,
            error,
          };
        }
        if (stopping.aborted) return { kind: 'redeliver', error };
        if (tried < handlerAttempts) {
          onRetry();
          await this.sleep(backoffDelayMs(tried, backoffMs, this.random), stopping);
          if (stopping.aborted) return { kind: 'redeliver', error };
        }
      }
    }
    const attempts = delivery.attemptsBefore + handlerAttempts;
    if (delivery.pass < retryDelaysMs.length) {
      const delayMs = retryDelaysMs[delivery.pass] ?? 0;
      return { kind: 'retry-topic', pass: delivery.pass + 1, delayMs, attempts, error: lastError };
    }
    return { kind: 'dead-letter', reason: 'retries-exhausted', attempts, error: lastError };
  }
}
