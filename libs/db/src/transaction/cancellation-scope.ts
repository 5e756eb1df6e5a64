import { isDeadlineReason } from '@platform/core';
import { TransactionCancelledError } from './transaction-cancelled-error.js';

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  if (typeof reason === 'string' && reason.length > 0) return reason;
  return 'aborted';
}

/**
 * The lifetime of one `withTransaction`: stopped when the signal aborts or the time budget runs
 * out, whichever comes first. The deadline is also checked by the clock, because on PGlite a
 * running statement blocks the event loop and no timer can fire until it returns.
 */
export class CancellationScope {
  readonly deadlineAt: number;
  private error: TransactionCancelledError | undefined;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private stoppedPromise: Promise<never> | undefined;
  // A signal aborted because its scope's deadline passed is a timeout, like the budget's own.
  private readonly onAbort = () =>
    this.stop(
      new TransactionCancelledError(
        isDeadlineReason(this.signal?.reason) ? 'timeout' : 'aborted',
        `transaction cancelled: ${describeReason(this.signal?.reason)}`,
        {
          cause: this.signal?.reason,
        },
      ),
    );

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly timeoutMs: number,
  ) {
    this.deadlineAt = Date.now() + timeoutMs;
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
    if (Number.isFinite(timeoutMs) && !this.error) this.armTimer(timeoutMs);
  }

  /** The reason the scope stopped, or `undefined` while it runs. */
  get stopped(): TransactionCancelledError | undefined {
    this.checkDeadline();
    return this.error;
  }

  throwIfStopped(): void {
    const error = this.stopped;
    if (error) throw error;
  }

  /** Milliseconds left of the budget: `Infinity` without one, never negative. */
  remainingMs(): number {
    return Number.isFinite(this.deadlineAt)
      ? Math.max(0, this.deadlineAt - Date.now())
      : Number.POSITIVE_INFINITY;
  }

  /** Calls `listener` once when the scope stops (at once if it has). Returns the unsubscribe. */
  onStop(listener: () => void): () => void {
    if (this.stopped) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A promise rejecting when the scope stops; never resolves. One per scope, however often asked. */
  whenStopped(): Promise<never> {
    if (!this.stoppedPromise) {
      this.stoppedPromise = new Promise<never>((_resolve, reject) => {
        this.onStop(() => reject(this.error));
      });
      this.stoppedPromise.catch(() => undefined);
    }
    return this.stoppedPromise;
  }

  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  // A timer may fire a little before the wall clock reaches the deadline (timers run on a
  // monotonic clock, and a fractional budget is rounded): then it is armed again for the rest,
  // or the scope would never stop.
  private armTimer(delayMs: number): void {
    this.timer = setTimeout(
      () => {
        this.checkDeadline();
        if (!this.error) this.armTimer(Math.max(1, this.deadlineAt - Date.now()));
      },
      Math.max(0, delayMs),
    );
    this.timer.unref();
  }

  private checkDeadline(): void {
    if (!this.error && Date.now() >= this.deadlineAt) {
      this.stop(
        new TransactionCancelledError('timeout', `transaction ran out of its ${this.timeoutMs} ms budget`),
      );
    }
  }

  private stop(error: TransactionCancelledError): void {
    if (this.error) return;
    this.error = error;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
  }
}
